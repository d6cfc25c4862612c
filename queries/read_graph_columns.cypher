// One id range of the whole graph as columns, for whole-graph computation without per-record objects: the
// entities after $after up to $upto (none: to the end) in id order, with every OWNS, CONTROLS and
// ACTS_IN_CONCERT edge into them, as lists of values. Days are ordinals (0001-01-01 is day 1), as Python's
// date.toordinal gives them.
// :param after => ''
// :param upto => null
MATCH (b:Entity)
WHERE b.id > $after AND ($upto IS NULL OR b.id <= $upto)
WITH b ORDER BY b.id
RETURN collect([b.id, b.registered_capital]) AS entities,
       collect([(a:Entity)-[r:OWNS]->(b) | [a.id, b.id, r.share, r.share_min, r.share_max,
                coalesce(r.has_voting_share, false), r.voting_share, r.voting_share_min, r.voting_share_max,
                r.subscribed_capital,
                CASE WHEN r.start IS NULL THEN null ELSE duration.inDays(date('0001-01-01'), r.start).days + 1 END,
                CASE WHEN r.end IS NULL THEN null ELSE duration.inDays(date('0001-01-01'), r.end).days + 1 END,
                r.source]]) AS owns,
       collect([(a:Entity)-[r:CONTROLS]->(b) | [a.id, b.id, r.basis,
                CASE WHEN r.start IS NULL THEN null ELSE duration.inDays(date('0001-01-01'), r.start).days + 1 END,
                CASE WHEN r.end IS NULL THEN null ELSE duration.inDays(date('0001-01-01'), r.end).days + 1 END]])
         AS controls,
       collect([(a:Entity)-[r:ACTS_IN_CONCERT]->(b) | [a.id, b.id, r.scope_id,
                CASE WHEN r.start IS NULL THEN null ELSE duration.inDays(date('0001-01-01'), r.start).days + 1 END,
                CASE WHEN r.end IS NULL THEN null ELSE duration.inDays(date('0001-01-01'), r.end).days + 1 END]])
         AS concerts
