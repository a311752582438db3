import type { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "crypto";
import { configStoreJob } from "./config-store-job";
import type { MattermostPodProps } from "./mattermost-pod";

/** Props of {@link PluginStatesJob}. */
export interface PluginStatesJobProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Plugin ids to enable. */
  readonly plugins: readonly string[];
  /** The Mattermost pod's make-up: its env Secret (the DSN), mounted Secrets (the database CA), pull secret. */
  readonly pod: MattermostPodProps;
  /** A PostgreSQL client image (psql). */
  readonly clientImage: string;
  /** What must have run first: the migration Job, which creates the config store's tables. */
  readonly dependsOn?: ITerraformDependable[];
}

/** `{"<id>":{"Enable":true},...}`: the entries the Job merges into PluginSettings.PluginStates. */
export function pluginStates(plugins: readonly string[]): string {
  return JSON.stringify(Object.fromEntries([...plugins].sort().map((id) => [id, { Enable: true }])));
}

/**
 * Enables the listed plugins in Mattermost's database config store, leaving every other plugin's
 * state as it is, so the System Console still toggles them all (an MM_PLUGINSETTINGS_PLUGINSTATES
 * variable would replace the whole map and pin it: mattermost/mattermost server/config/
 * environment.go, applyEnvKey). Mattermost keeps its configuration as rows of `configurations`,
 * exactly one of them active, and saves by deactivating the active row and inserting a new one with
 * the SHA-256 of its value (server/config/database.go, DatabaseStore.persist); the Job does the
 * same, under a table lock, and only when the value changes, so running it again changes nothing.
 * With no active row yet (before the first start), it writes what DatabaseStore.Load would start
 * from (the driver and DSN) plus the plugin states; Mattermost fills in every default on its first
 * load (Store.Load, SetDefaults) and keeps the states it finds (PluginSettings.SetDefaults only adds
 * missing ones). The name follows the list, so a new list runs the Job again; `revision` lets the
 * caller roll the pods, which read the store only at start and on config events.
 */
export class PluginStatesJob extends Construct {
  public readonly job: JobV1;
  /** The pods' `app.kubernetes.io/component` label (the Jobs' network policy selects it). */
  public readonly component = "plugins";
  /** Short hash of the list: changes when the list does. */
  public readonly revision: string;

  constructor(scope: Construct, id: string, props: PluginStatesJobProps) {
    super(scope, id);
    const states = pluginStates(props.plugins);
    this.revision = createHash("sha256").update(states).digest("hex").slice(0, 8);
    this.job = configStoreJob(this, "job", {
      ...props,
      purpose: this.component,
      revision: this.revision,
      containerName: "enable-plugins",
      script: PLUGIN_STATES_SCRIPT,
      env: [{ name: "PLUGIN_STATES", value: states }],
    });
  }
}

/**
 * Merge the wanted states into the active configuration, as Mattermost's own save would. psql's
 * :'name' quotes a variable as a literal, so neither the JSON nor the DSN needs escaping.
 */
export const PLUGIN_STATES_SCRIPT = `psql "$MATTERMOST_DSN" -v ON_ERROR_STOP=1 -v states="$PLUGIN_STATES" -v dsn="$MATTERMOST_DSN" <<'SQL'
BEGIN;
LOCK TABLE configurations IN SHARE ROW EXCLUSIVE MODE;
CREATE TEMPORARY TABLE plugin_config ON COMMIT DROP AS
WITH active_row AS (SELECT value::jsonb AS value FROM configurations WHERE active),
current_config AS (
  SELECT EXISTS (SELECT 1 FROM active_row) AS stored,
         coalesce((SELECT value FROM active_row), jsonb_build_object('SqlSettings', jsonb_build_object('DriverName', 'postgres', 'DataSource', :'dsn'))) AS value
)
SELECT stored, value AS old_value,
       jsonb_set(jsonb_set(value, '{PluginSettings}', coalesce(value->'PluginSettings', '{}'::jsonb) || '{"Enable": true}'::jsonb),
                 '{PluginSettings,PluginStates}', coalesce(value#>'{PluginSettings,PluginStates}', '{}'::jsonb) || :'states'::jsonb) AS new_value
FROM current_config;
UPDATE configurations SET active = NULL WHERE active AND (SELECT new_value <> old_value FROM plugin_config);
INSERT INTO configurations (id, value, createat, active, sha)
SELECT substr(md5(random()::text || clock_timestamp()::text), 1, 26), new_value::text, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, true,
       encode(sha256(convert_to(new_value::text, 'UTF8')), 'hex')
FROM plugin_config WHERE NOT stored OR new_value <> old_value;
COMMIT;
SQL
`;
