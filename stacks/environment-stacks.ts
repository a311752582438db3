import { Construct } from "constructs";
import type { Environment } from "../config/load";
import { stateLocation } from "../constructs/state-location";
import { AppStack } from "./app-stack";
import { DatabaseStack } from "./database-stack";
import { StorageStack } from "./storage-stack";

/** The three stacks of one environment. */
export interface EnvironmentStacks {
  readonly database: DatabaseStack;
  readonly storage: StorageStack;
  readonly app: AppStack;
}

/** The stack ids of environment `name`: `<name>-database`, `<name>-storage`, `<name>-app`. */
export function stackIds(name: string) {
  return { database: `${name}-database`, storage: `${name}-storage`, app: `${name}-app` } as const;
}

/**
 * Builds `<env>-database`, `<env>-storage` and `<env>-app` under `scope` (the App) and links them:
 * the app reads both offers through the producers' own state locations and deploys after them.
 */
export function addEnvironmentStacks(scope: Construct, environment: Environment): EnvironmentStacks {
  const { name, config } = environment;
  const ids = stackIds(name);
  const state = {
    database: stateLocation(config.backend, ids.database),
    storage: stateLocation(config.backend, ids.storage),
    app: stateLocation(config.backend, ids.app),
  };
  const database = new DatabaseStack(scope, ids.database, {
    environmentName: name,
    database: config.database,
    ...(config.aws ? { aws: config.aws } : {}),
    state: state.database,
  });
  const storage = new StorageStack(scope, ids.storage, {
    environmentName: name,
    storage: config.storage,
    kubernetes: config.kubernetes,
    ...(config.aws ? { aws: config.aws } : {}),
    state: state.storage,
  });
  const app = new AppStack(scope, ids.app, {
    environmentName: name,
    mattermost: config.mattermost,
    kubernetes: config.kubernetes,
    storageKind: config.storage.kind,
    ...(config.storage.kind === "s3" ? { storageAccess: config.storage.access } : {}),
    databaseState: state.database,
    storageState: state.storage,
    state: state.app,
  });
  app.addDependency(database);
  app.addDependency(storage);
  return { database, storage, app };
}
