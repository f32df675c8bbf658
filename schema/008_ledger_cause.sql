-- 008_ledger_cause: a movement of stock names what caused it, as an outbox message does (006): a
-- receipt declared by a person has none; one that delivers an allocation or a transfer names it
-- ("allocation", 12), so that conservation can be checked cause by cause. Added columns: no rebuild.
ALTER TABLE stock_ledger ADD COLUMN cause_kind TEXT;
ALTER TABLE stock_ledger ADD COLUMN cause_id INTEGER;
