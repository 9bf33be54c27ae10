-- Rug-pull protection (issue 11 point 5, ADR 0044): a virtual server can pin each tool it shows to the hash of
-- the definition an admin approved; a tool whose current definition differs is withheld until approved again.
-- Existing virtual servers keep serving as before: pinning is off unless asked for.
ALTER TABLE virtual_servers
  ADD COLUMN pinning text NOT NULL DEFAULT 'off' CHECK (pinning IN ('off', 'approved', 'manifest')),
  -- (`manifest`: the server's current signed manifest is the reference instead, ADR 0015.)
  -- "<server id>/<upstream name>" -> {"hash": <sha-256 hex of the definition>, "version": <capability version>}
  ADD COLUMN approved_tools jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(approved_tools) = 'object'),
  -- "<server id>/<upstream name>" -> the drifted hash a `capabilities.drifted` event was already emitted for,
  -- so each drift is announced once, not at every rediscovery or resolve.
  ADD COLUMN reported_drifts jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(reported_drifts) = 'object');
