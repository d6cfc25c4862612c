// The entities holding some merge keys (SCHEME:value): through Identifier nodes, and through the indexed
// lei and uscc properties (entities written by the bulk import have no Identifier nodes).
// :param keys => ['LEI:5493001KJTIIGC8Y1R12']
// :param leis => ['5493001KJTIIGC8Y1R12']
// :param usccs => []
CALL () {
  UNWIND $keys AS key
  MATCH (i:Identifier {key: key})<-[:IDENTIFIED_BY]-(e:Entity)
  USING INDEX i:Identifier(key)
  RETURN key, e.id AS entity
  UNION
  UNWIND $leis AS lei
  MATCH (e:Entity {lei: lei})
  USING INDEX e:Entity(lei)
  RETURN 'LEI:' + lei AS key, e.id AS entity
  UNION
  UNWIND $usccs AS uscc
  MATCH (e:Entity {uscc: uscc})
  USING INDEX e:Entity(uscc)
  RETURN 'USCC:' + uscc AS key, e.id AS entity
}
RETURN key, entity
