// The entities whose materialised control names one entity as a controller (before it joins another).
// :param id => 'absorbed-id'
// :param ruleset => 'majority'
MATCH (t:Entity)-[r:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(:Entity {id: $id})
WHERE r.ruleset = $ruleset
RETURN DISTINCT t.id AS id
