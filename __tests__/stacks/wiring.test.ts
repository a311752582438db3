import { environment, localInput, StackJson, synthEnvironments, synthShipped, PROJECT_ROOT } from "../support/synth";

/** The remote-state config that would read the state a stack writes, from its own backend block. */
function readerOf(stack: StackJson): { backend: string; config: Record<string, unknown> } {
  const tf = stack.terraform;
  if (tf.cloud) {
    return { backend: "remote", config: { hostname: tf.cloud.hostname, organization: tf.cloud.organization, workspaces: { name: tf.cloud.workspaces.name } } };
  }
  const [[kind, config]] = Object.entries<any>(tf.backend);
  if (kind === "local") return { backend: "local", config: { path: config.path } };
  if (kind === "s3") return { backend: "s3", config: { bucket: config.bucket, key: config.key, region: config.region } };
  throw new Error(`unexpected backend ${kind}`);
}

/** Every `data.terraform_remote_state.<name>.outputs.<output>` the stack refers to. */
function remoteReads(stack: StackJson): { state: string; output: string }[] {
  const text = JSON.stringify(stack);
  return [...text.matchAll(/data\.terraform_remote_state\.(\w+)\.outputs\.(\w+)/g)].map(([, state, output]) => ({ state, output }));
}

/** Proves every remote read of `consumer` resolves: one producer writes that state and has that output. */
function expectReadsResolve(stacks: Record<string, StackJson>, consumerId: string): string[] {
  const consumer = stacks[consumerId];
  const reads = remoteReads(consumer);
  expect(reads.length).toBeGreaterThan(0);
  const producersUsed = new Set<string>();
  for (const { state, output } of reads) {
    const source = consumer.data!.terraform_remote_state[state];
    const producers = Object.entries(stacks).filter(([id, stack]) => id !== consumerId && JSON.stringify(readerOf(stack)) === JSON.stringify({ backend: source.backend, config: source.config }));
    expect(producers.map(([id]) => id)).toHaveLength(1);
    const [producerId, producer] = producers[0];
    expect(Object.keys(producer.output ?? {})).toContain(output);
    producersUsed.add(producerId);
  }
  return [...producersUsed].sort();
}

const backends: Record<string, unknown> = {
  local: { kind: "local" },
  cloud: { kind: "cloud", organization: "acme", workspacePrefix: "chat-" },
  s3: { kind: "s3", bucket: "acme-terraform-state", region: "eu-west-1", keyPrefix: "chat" },
};

describe.each(Object.keys(backends))("with backend.kind %s", (kind) => {
  const input = localInput();
  input.backend = backends[kind];
  const stacks = synthEnvironments([environment("dev", input)]);

  test("every output the app reads exists in the producer that writes that state", () => {
    expect(expectReadsResolve(stacks, "dev-app")).toEqual(["dev-database", "dev-storage"]);
  });

  test("producers read nothing from other stacks", () => {
    expect(remoteReads(stacks["dev-database"])).toEqual([]);
    expect(remoteReads(stacks["dev-storage"])).toEqual([]);
  });

  test("no automatic cross-stack references (they name outputs after construct paths)", () => {
    for (const stack of Object.values(stacks)) {
      expect(Object.keys(stack.output ?? {}).filter((name) => name.startsWith("cross-stack-output"))).toEqual([]);
    }
  });
});

describe("backends", () => {
  test("local: one relative state file per stack under state/", () => {
    const stacks = synthEnvironments([environment("dev", localInput())]);
    expect(stacks["dev-app"].terraform.backend.local.path).toBe("../../../state/dev-app.tfstate");
    expect(stacks["dev-database"].terraform.backend.local.path).toBe("../../../state/dev-database.tfstate");
  });

  test("cloud: one workspace per stack from the prefix and the stack id", () => {
    const input = localInput();
    input.backend = backends.cloud;
    const stacks = synthEnvironments([environment("dev", input)]);
    expect(stacks["dev-storage"].terraform.cloud).toEqual({ hostname: "app.terraform.io", organization: "acme", workspaces: { name: "chat-dev-storage" } });
    expect(stacks["dev-storage"].terraform.backend).toBeUndefined();
  });

  test("s3: a key per stack, encrypted, always with S3-native locking (a DynamoDB table only adds its lock)", () => {
    const input = localInput();
    input.backend = backends.s3;
    const stacks = synthEnvironments([environment("dev", input)]);
    expect(stacks["dev-app"].terraform.backend.s3).toMatchObject({ bucket: "acme-terraform-state", key: "chat/dev-app.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true });
    input.backend = { ...backends.s3 as object, dynamodbTable: "terraform-locks" };
    const locked = synthEnvironments([environment("dev", input)]);
    expect(locked["dev-app"].terraform.backend.s3).toMatchObject({ dynamodb_table: "terraform-locks" });
    expect(locked["dev-app"].terraform.backend.s3.use_lockfile).toBe(true);
  });
});

describe("the shipped environments", () => {
  const stacks = synthShipped();

  test("synthesize into three stacks each", () => {
    expect(Object.keys(stacks).filter((id) => /-(database|storage|app)$/.test(id)).sort()).toEqual([
      "local-app", "local-database", "local-storage", "production-app", "production-database", "production-storage",
    ]);
  });

  test.each(["local", "production"])("%s-app's remote-state reads all resolve", (env) => {
    expect(expectReadsResolve(stacks, `${env}-app`)).toEqual([`${env}-database`, `${env}-storage`]);
  });

  test("no absolute path of this machine anywhere in the output", () => {
    const text = JSON.stringify(stacks);
    expect(text).not.toContain(PROJECT_ROOT);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/"\/(home|root|tmp|work|Users)\//);
  });

  test("every provider is pinned to an exact version", () => {
    for (const [id, stack] of Object.entries(stacks)) {
      const providers = Object.entries<any>(stack.terraform.required_providers ?? {});
      expect(providers.length).toBeGreaterThan(0);
      for (const [name, requirement] of providers) {
        expect({ stack: id, name, version: requirement.version }).toEqual({ stack: id, name, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
      }
    }
  });
});
