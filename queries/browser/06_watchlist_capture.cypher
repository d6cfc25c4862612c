// The aggregate 50% rule: entities whose equity held by listed or captured owners sums to 50% or more.
// Unrolls three rounds of capture (POST /screen computes the full fixpoint, with the explanation).
// :param listed => ['qh-borong-group']
WITH $listed AS captured
CALL (captured) {
  MATCH (o:Entity)-[r:OWNS]->(y:Entity)
  WHERE o.id IN captured AND NOT y.id IN captured
    AND (r.start IS NULL OR r.start <= date()) AND (r.end IS NULL OR date() < r.end)
  WITH y, sum(coalesce(r.share, r.share_min, 0.0)) AS held
  WHERE held >= 0.5
  RETURN collect(y.id) AS round1
}
WITH captured + round1 AS captured
CALL (captured) {
  MATCH (o:Entity)-[r:OWNS]->(y:Entity)
  WHERE o.id IN captured AND NOT y.id IN captured
    AND (r.start IS NULL OR r.start <= date()) AND (r.end IS NULL OR date() < r.end)
  WITH y, sum(coalesce(r.share, r.share_min, 0.0)) AS held
  WHERE held >= 0.5
  RETURN collect(y.id) AS round2
}
WITH captured + round2 AS captured
CALL (captured) {
  MATCH (o:Entity)-[r:OWNS]->(y:Entity)
  WHERE o.id IN captured AND NOT y.id IN captured
    AND (r.start IS NULL OR r.start <= date()) AND (r.end IS NULL OR date() < r.end)
  WITH y, sum(coalesce(r.share, r.share_min, 0.0)) AS held
  WHERE held >= 0.5
  RETURN collect(y.id) AS round3
}
WITH captured + round3 AS captured
MATCH (y:Entity)<-[r:OWNS]-(o:Entity)
WHERE y.id IN captured AND NOT y.id IN $listed AND o.id IN captured
RETURN y.id AS captured_id, y.name AS captured, collect({owner: o.id, share: coalesce(r.share, r.share_min)}) AS captured_owners
ORDER BY captured_id
