// A snapshot of a source: its stakes, controls and concert links missing from this load end on the snapshot day.
// History is kept (the edge stays, with its end), so answers as of an earlier day do not change.
// :param source => 'registry-csv:data'
// :param stamp => 'load stamp of this load'
// :param day => date('2026-12-02')
CALL () {
  MATCH (a:Entity)-[r:OWNS]->(b:Entity)
  WHERE r.loaded_from = $source AND coalesce(r.load_stamp, "") <> $stamp AND r.closed_by_snapshot IS NULL
    AND (r.end IS NULL OR r.end > $day)
  SET r.end = $day, r.closed_by_snapshot = $day
  RETURN 'OWNS' AS type, a.id AS from_id, b.id AS to_id
  UNION ALL
  MATCH (a:Entity)-[r:CONTROLS]->(b:Entity)
  WHERE r.loaded_from = $source AND coalesce(r.load_stamp, "") <> $stamp AND r.closed_by_snapshot IS NULL
    AND (r.end IS NULL OR r.end > $day)
  SET r.end = $day, r.closed_by_snapshot = $day
  RETURN 'CONTROLS' AS type, a.id AS from_id, b.id AS to_id
  UNION ALL
  MATCH (a:Entity)-[r:ACTS_IN_CONCERT]->(b:Entity)
  WHERE r.loaded_from = $source AND coalesce(r.load_stamp, "") <> $stamp AND r.closed_by_snapshot IS NULL
    AND (r.end IS NULL OR r.end > $day)
  SET r.end = $day, r.closed_by_snapshot = $day
  RETURN 'ACTS_IN_CONCERT' AS type, a.id AS from_id, b.id AS to_id
}
RETURN type, from_id, to_id
