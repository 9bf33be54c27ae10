-- Issue 11 point 8 (ADR 0048): a virtual server's per-tool override may correct the invocation class the
-- tool's annotations give it (what is audited, metered and seen by policies as context.invocationClass).
ALTER TABLE virtual_server_overrides
  ADD COLUMN invocation_class text CHECK (invocation_class IN ('read', 'write', 'destructive'));
