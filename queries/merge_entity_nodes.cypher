// Make sure entity nodes exist for some canonical ids (their properties are written after).
// :param ids => ['5493001KJTIIGC8Y1R12']
UNWIND $ids AS id
MERGE (:Entity {id: id})
