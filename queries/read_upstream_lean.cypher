// read_upstream for computing control: each entity with only id, kind and registered capital, and its edges
// without the load bookkeeping (which source wrote them, their fingerprints): a fraction of the bytes.
// :param ids => ['ph-qh-dc-project-1']
// :param limit => 50001
MATCH (t:Entity)
WHERE t.id IN $ids
CALL (t) { MATCH (t)<-[:OWNS|CONTROLS*0..100]-(a:Entity) RETURN DISTINCT a }
WITH DISTINCT a
LIMIT $limit  // the node budget, inside the database: a hub's closure is never read whole
RETURN a.id AS id, a.kind AS kind, a.registered_capital AS registered_capital,
       COLLECT {
         MATCH (o:Entity)-[r:OWNS|CONTROLS]->(a)
         RETURN {from_id: o.id, to_id: a.id, type: type(r),
                 props: r {.*, row_key: null, fp: null, loaded_from: null, load_stamp: null}}
       } + COLLECT {
         MATCH (a)-[r:ACTS_IN_CONCERT]-(:Entity)
         RETURN {from_id: startNode(r).id, to_id: endNode(r).id, type: type(r),
                 props: r {.*, row_key: null, fp: null, loaded_from: null, load_stamp: null}}
       } AS edges
