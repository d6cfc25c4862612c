// Remove the materialised control relationships of one ruleset before they are written anew.
// :param ruleset => 'majority'
MATCH (:Entity)-[r:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(:Entity)
WHERE r.ruleset = $ruleset
DELETE r
