// Entities holding (through any chain of stakes) both of two entities, nearest first.
// :param a => 'ph-qh-dc-project-1'
// :param b => 'ph-qh-dc-project-2'
MATCH pa = (a:Entity {id: $a})<-[:OWNS*1..8]-(o:Entity)
MATCH pb = (b:Entity {id: $b})<-[:OWNS*1..8]-(o)
WITH o, min(length(pa)) AS steps_to_a, min(length(pb)) AS steps_to_b
RETURN o.id AS id, o.name AS name, o.kind AS kind, steps_to_a, steps_to_b
ORDER BY steps_to_a + steps_to_b, id
