// Reserve n consecutive sequence numbers for change records (newest = highest).
// :param n => 1
MERGE (s:ChangeSequence {name: 'control_changes'})
SET s.next = coalesce(s.next, 0) + $n
RETURN s.next - $n AS first
