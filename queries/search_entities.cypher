// Entities by name (any script), alias, USCC, LEI, any identifier (`02723534` or `GB-COH:02723534`), id or a
// source's own record id: exact identifiers first, then the full-text index, ranked.
// :param q => 'Borong'
// :param fulltext => 'Borong*'
// :param limit => 20
// :param window => 1001
CALL () {
  MATCH (e:Entity)
  WHERE e.id = $q OR e.uscc = $q OR e.lei = $q
  RETURN e, 1000.0 AS score
  UNION
  MATCH (:SourceRecord {record_id: $q})-[:RECORD_OF]->(e:Entity)
  RETURN e, 1000.0 AS score
  UNION
  MATCH (i:Identifier)<-[:IDENTIFIED_BY]-(e:Entity)
  WHERE i.value = $q OR i.key = $q
  RETURN e, 900.0 AS score
  UNION
  CALL db.index.fulltext.queryNodes('entity_names', $fulltext, {limit: $window}) YIELD node, score
  RETURN node AS e, score
}
WITH e, max(score) AS score
ORDER BY score DESC, e.id
LIMIT $limit
RETURN e {.*} AS entity, score
