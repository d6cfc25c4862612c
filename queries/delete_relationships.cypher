// Delete relationships by element id (materialised control that no longer holds).
// :param element_ids => []
UNWIND $element_ids AS element_id
MATCH ()-[r]->()
WHERE elementId(r) = element_id
DELETE r
