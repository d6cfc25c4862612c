// Every edge that control and ownership are computed from (for the whole-graph computation), without the
// load bookkeeping.
MATCH (a:Entity)-[r:OWNS|CONTROLS|ACTS_IN_CONCERT]->(b:Entity)
RETURN a.id AS from_id, b.id AS to_id, type(r) AS type,
       r {.*, row_key: null, fp: null, loaded_from: null, load_stamp: null} AS props
