// The Identifier nodes of some entities (merge keys other than their lei and uscc properties, which are
// indexed on the entity itself): stale links removed, the stated ones linked.
// :param rows => [{id: 'abc', keys: ['GB-COH:02723534']}]
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
CALL (e, row) {
  MATCH (e)-[old:IDENTIFIED_BY]->(i:Identifier)
  WHERE NOT i.key IN row.keys
  DELETE old
}
CALL (e, row) {
  UNWIND row.keys AS key
  MERGE (i:Identifier {key: key})
  ON CREATE SET i.scheme = split(key, ':')[0], i.value = substring(key, size(split(key, ':')[0]) + 1)
  MERGE (e)-[:IDENTIFIED_BY]->(i)
}
