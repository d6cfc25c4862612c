// Edges whose start or end falls in (after, upto]: the answers they touch change with the passing days.
// :param after => date('2026-11-30')
// :param upto => date('2026-12-02')
CALL () {
  MATCH (a:Entity)-[r:OWNS]->(b:Entity) WHERE r.start > $after AND r.start <= $upto
  RETURN 'OWNS' AS type, a.id AS from_id, b.id AS to_id
  UNION
  MATCH (a:Entity)-[r:OWNS]->(b:Entity) WHERE r.end > $after AND r.end <= $upto
  RETURN 'OWNS' AS type, a.id AS from_id, b.id AS to_id
  UNION
  MATCH (a:Entity)-[r:CONTROLS]->(b:Entity) WHERE r.start > $after AND r.start <= $upto
  RETURN 'CONTROLS' AS type, a.id AS from_id, b.id AS to_id
  UNION
  MATCH (a:Entity)-[r:CONTROLS]->(b:Entity) WHERE r.end > $after AND r.end <= $upto
  RETURN 'CONTROLS' AS type, a.id AS from_id, b.id AS to_id
  UNION
  MATCH (a:Entity)-[r:ACTS_IN_CONCERT]->(b:Entity) WHERE r.start > $after AND r.start <= $upto
  RETURN 'ACTS_IN_CONCERT' AS type, a.id AS from_id, b.id AS to_id
  UNION
  MATCH (a:Entity)-[r:ACTS_IN_CONCERT]->(b:Entity) WHERE r.end > $after AND r.end <= $upto
  RETURN 'ACTS_IN_CONCERT' AS type, a.id AS from_id, b.id AS to_id
}
RETURN type, from_id, to_id
