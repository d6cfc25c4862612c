// Find an entity by name (Chinese or Latin script), alias, USCC, LEI or id.
// :param q => 'Borong'
CALL db.index.fulltext.queryNodes('entity_names', $q + ' OR ' + $q + '*') YIELD node, score
RETURN node.id AS id, node.name AS name, node.kind AS kind, node.jurisdiction AS jurisdiction,
       node.founded AS founded, score
ORDER BY score DESC
LIMIT 25
