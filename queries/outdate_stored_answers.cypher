// Outdate the stored default answers of entities whose control is being rewritten: they are answered live
// (and their CONTROLLED_BY chains proved live) until their new answers are stored.
// :param ids => ['demo-1']
UNWIND $ids AS id
MATCH (a:StoredAnswer {entity_id: id})
SET a.gen = null
