import { Aspects } from "cdktf";
import { Construct } from "constructs";
import { Environment, environmentNameProblem } from "../config/load";
import { internetEgress } from "../config/schema/network";
import { SecurityPolicy } from "../synth/security-policy";
import { keepTextLiteral } from "../synth/terraform-literals";
import { stateLocation } from "../constructs/offers/state-location";
import { AppStack } from "./app-stack";
import { DatabaseStack } from "./database-stack";
import { StorageStack } from "./storage-stack";
import { WorkspacesStack } from "./workspaces-stack";

/** The stacks of one environment: three, and a fourth for the Terraform Cloud workspaces when the backend is cloud. */
export interface EnvironmentStacks {
  readonly database: DatabaseStack;
  readonly storage: StorageStack;
  readonly app: AppStack;
  /** `<env>-workspaces`, only with `backend.kind: cloud`. */
  readonly workspaces?: WorkspacesStack;
}

/** The stack ids of environment `name`: `<name>-database`, `<name>-storage`, `<name>-app` (and `<name>-workspaces` with a cloud backend). */
export function stackIds(name: string) {
  return { database: `${name}-database`, storage: `${name}-storage`, app: `${name}-app`, workspaces: `${name}-workspaces` } as const;
}

/**
 * Builds `<env>-database`, `<env>-storage` and `<env>-app` under `scope` (the App) and links them:
 * the app reads both offers through the producers' own state locations.
 *
 * No cdktf stack dependency links them (`addDependency`): cdktf-cli 0.21 refuses to deploy a stack
 * whose dependencies are not in the same command ("The following dependencies are not included in
 * the stacks to run", `deploy()` in cdktf-cli's bundle), and its only way out,
 * `--ignore-missing-stack-dependencies`, drops the ordering altogether. So each stack deploys alone
 * once its producers are deployed (the app's plan fails naming the stack to deploy first), and a
 * deploy of several stacks runs them one at a time in the order given
 * (`cdktf deploy --parallelism 1 <env>-database <env>-storage <env>-app`). The order itself is read
 * from the synthesized JSON (`synth/summary.ts`): a stack deploys after the stacks whose state it
 * reads and after the stack that creates its Terraform Cloud workspace.
 *
 * Every stack keeps the file's text literal (synth/terraform-literals.ts) and is put under the app's security policy ({@link SecurityPolicy.of}) with the
 * environment's waivers, so `app.synth()` fails on a violation however the app is synthesized.
 * The name is checked as synth checks file names: it ends up in Kubernetes and S3 names.
 */
export function addEnvironmentStacks(scope: Construct, environment: Environment): EnvironmentStacks {
  const { name, config } = environment;
  const nameProblem = environmentNameProblem(name);
  if (nameProblem) throw new Error(`addEnvironmentStacks: environment name ${nameProblem}`);
  const stacks = buildStacks(scope, environment);
  const aspect = SecurityPolicy.of(scope).forEnvironment(environment.file, config.policy.waivers);
  for (const stack of Object.values(stacks)) {
    // Every string from the environment file reaches Terraform as the text the user wrote; the
    // policy then checks what Terraform will see (aspects run in the order they were added).
    keepTextLiteral(stack);
    Aspects.of(stack).add(aspect);
  }
  return stacks;
}

function buildStacks(scope: Construct, environment: Environment): EnvironmentStacks {
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
    ...(config.storage.kind === "local" ? { filesAccessMode: config.storage.accessMode } : {}),
    ...(config.storage.kind === "s3" ? { storageAccess: config.storage.access } : {}),
    databaseState: state.database,
    databaseVerifiesServer: config.database.sslMode === "verify-ca" || config.database.sslMode === "verify-full",
    network: config.network,
    internetEgress: internetEgress(config),
    databaseEndpoint: config.database.kind === "external" ? { host: config.database.host, port: config.database.port } : { port: 5432 },
    storageState: state.storage,
    state: state.app,
  });
  if (config.backend.kind !== "cloud") return { database, storage, app };
  // Built last: it reads the variables the three stacks declare. It deploys first (the three
  // workspaces must exist before their stacks' `terraform init`), but nobody reads its state.
  const workspaces = new WorkspacesStack(scope, ids.workspaces, {
    environmentName: name,
    backend: config.backend,
    stacks: { database: { stack: database, state: state.database }, storage: { stack: storage, state: state.storage }, app: { stack: app, state: state.app } },
  });
  return { database, storage, app, workspaces };
}
