import { mattermostServiceAccountName } from "../../constructs/shared/labels";
import { ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS, MAX_BUCKET_PREFIX_LENGTH } from "../../constructs/storage/private-bucket";
import {
  awsInput,
  environment,
  localInput,
  onlyResource,
  resources,
  resourceTypes,
  StackJson,
  synthEnvironments,
  synthShipped,
  rejectionsOf,
} from "../support/synth";

const OIDC_PROVIDER_ARN = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const OIDC_ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const KMS_KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const OFFER_FIELDS = [
  "storage_access_key_id",
  "storage_bucket",
  "storage_claim_name",
  "storage_driver",
  "storage_endpoint",
  "storage_namespace",
  "storage_path_prefix",
  "storage_region",
  "storage_role_arn",
  "storage_secret_access_key",
  "storage_sse",
  "storage_ssl",
];

/** The `<name>-storage` stack of an environment built from `input`. */
function storageStack(input: any, name = "dev"): StackJson {
  return synthEnvironments([environment(name, input)])[`${name}-storage`];
}

/** An AWS environment whose storage section is `storage`. */
function withS3(storage: Record<string, unknown>, change: (env: any) => void = () => {}): any {
  const env = awsInput();
  env.storage = { kind: "s3", ...storage };
  change(env);
  return env;
}

function withExternal(storage: Record<string, unknown>): any {
  const env = localInput();
  env.storage = { kind: "external", endpoint: "https://minio.example.com", bucket: "chat-files", ...storage };
  return env;
}

/** The offer's outputs, field -> value. */
function offer(stack: StackJson): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stack.output ?? {}).map(([name, output]) => [name, output.value]));
}

/** The statements of the policy document a `${data.aws_iam_policy_document.X.json}` reference names. */
function statementsOf(stack: StackJson, reference: string): any[] {
  const match = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(reference);
  if (!match) throw new Error(`not a policy document reference: ${reference}`);
  return stack.data!.aws_iam_policy_document[match[1]].statement;
}

/** Every action and resource that an Allow statement grants. */
function allowed(statements: any[]): { actions: string[]; resources: string[] } {
  const allows = statements.filter((s) => s.effect === "Allow");
  return { actions: allows.flatMap((s) => s.actions), resources: allows.flatMap((s) => s.resources ?? []) };
}

/** The problems synth reports for `dev.yaml` with `input`. */
const problemsOf = (input: any): string[] => rejectionsOf({ "dev.yaml": input });

const BUCKET_ARN = /^\$\{aws_s3_bucket\.[\w-]+\.arn\}$/;
const OBJECTS_ARN = /^\$\{aws_s3_bucket\.[\w-]+\.arn\}\/\*$/;

describe("storage stack, kind local (the shipped local environment)", () => {
  const stack = synthShipped()["local-storage"];

  test("makes Mattermost's namespace and a claim in it, both protected from destroy; nothing in AWS", () => {
    expect(resourceTypes(stack)).toEqual(["kubernetes_namespace_v1", "kubernetes_persistent_volume_claim_v1"]);
    expect(stack.provider?.aws).toBeUndefined();
    const namespace = onlyResource(stack, "kubernetes_namespace_v1");
    expect(namespace.metadata.name).toBe("mattermost");
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(namespace.lifecycle).toEqual({ prevent_destroy: true });
    const claim = onlyResource(stack, "kubernetes_persistent_volume_claim_v1");
    expect(claim.metadata.name).toBe("mattermost-local-files");
    expect(claim.metadata.namespace).toBe("${kubernetes_namespace_v1.namespace.metadata[0].name}");
    expect(claim.spec.access_modes).toEqual(["ReadWriteOnce"]);
    expect(claim.spec.resources.requests).toEqual({ storage: "10Gi" });
    expect(claim.spec.storage_class_name).toBeUndefined();
    expect(claim.wait_until_bound).toBe(false);
    expect(claim.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("offers the local driver, the claim and its namespace; every S3 field empty", () => {
    expect(Object.keys(stack.output!).sort()).toEqual(OFFER_FIELDS);
    const values = offer(stack);
    expect(values.storage_driver).toBe("local");
    expect(values.storage_claim_name).toMatch(/^\$\{kubernetes_persistent_volume_claim_v1\.[\w-]+\.metadata\[0\]\.name\}$/);
    expect(values.storage_namespace).toMatch(/^\$\{kubernetes_namespace_v1\.[\w-]+\.metadata\[0\]\.name\}$/);
    for (const field of ["bucket", "region", "endpoint", "path_prefix", "access_key_id", "secret_access_key", "role_arn"]) {
      expect(values[`storage_${field}`]).toBe("");
    }
    expect(values.storage_ssl).toBe("false");
    expect(stack.output!.storage_secret_access_key.sensitive).toBe(true);
  });

  test("size, storage class and access mode reach the claim", () => {
    const env = localInput();
    env.storage = { kind: "local", size: "200Gi", storageClassName: "efs-sc", accessMode: "ReadWriteMany" };
    Object.assign(env.mattermost, { image: "mattermost/mattermost-enterprise-edition:10.11.4", replicas: 2, clustering: true, licensed: true });
    const claim = onlyResource(storageStack(env), "kubernetes_persistent_volume_claim_v1");
    expect(claim.spec).toMatchObject({ access_modes: ["ReadWriteMany"], resources: { requests: { storage: "200Gi" } }, storage_class_name: "efs-sc" });
  });
});

describe("storage stack, kind s3 with keys (the shipped production environment)", () => {
  const stack = synthShipped()["production-storage"];

  test("a bucket with a generated name, never force-destroyed and protected from destroy", () => {
    const bucket = onlyResource(stack, "aws_s3_bucket");
    expect(bucket.bucket_prefix).toBe("mattermost-production-files-");
    expect(bucket.bucket).toBeUndefined();
    expect(bucket.force_destroy).toBe(false);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(stack.provider!.aws[0].region).toBe("eu-west-1");
  });

  test("no public access, no ACLs, SSE-S3 by default, versioned", () => {
    expect(onlyResource(stack, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(stack, "aws_s3_bucket_ownership_controls").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    const [rule] = onlyResource(stack, "aws_s3_bucket_server_side_encryption_configuration").rule;
    expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    expect(rule.bucket_key_enabled).toBeUndefined();
    expect(onlyResource(stack, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
  });

  test("old versions expire after 30 days and abandoned multipart uploads are aborted", () => {
    const lifecycle = onlyResource(stack, "aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({
        status: "Enabled",
        filter: [{}],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
        expiration: [{ expired_object_delete_marker: true }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS }],
      }),
    ]);
    expect(lifecycle.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
  });

  test("the bucket policy denies every request without TLS", () => {
    const policy = onlyResource(stack, "aws_s3_bucket_policy");
    expect(statementsOf(stack, policy.policy)).toEqual([
      expect.objectContaining({
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["s3:*"],
        resources: [expect.stringMatching(BUCKET_ARN), expect.stringMatching(OBJECTS_ARN)],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      }),
    ]);
  });

  test("an IAM user allowed only what Mattermost does, on this bucket only, with no wildcards", () => {
    const user = onlyResource(stack, "aws_iam_user");
    expect(user).toMatchObject({ name: "mattermost-production-files", path: "/mattermost/" });
    const policy = onlyResource(stack, "aws_iam_user_policy");
    expect(policy.user).toMatch(/^\$\{aws_iam_user\.[\w-]+\.name\}$/);
    const statements = statementsOf(stack, policy.policy);
    expect(statements).toEqual([
      { sid: "ListBucket", effect: "Allow", actions: ["s3:ListBucket"], resources: [expect.stringMatching(BUCKET_ARN)] },
      {
        sid: "ReadWriteFiles",
        effect: "Allow",
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: [expect.stringMatching(OBJECTS_ARN)],
      },
    ]);
    const granted = allowed(statements);
    expect(granted.actions.filter((a) => a.includes("*"))).toEqual([]);
    expect(granted.resources.filter((r) => r.includes("*") && !OBJECTS_ARN.test(r))).toEqual([]);
    expect(resources(stack, "aws_iam_role")).toEqual([]);
  });

  test("offers the bucket, the regional endpoint over TLS and the user's key; the secret is a sensitive output", () => {
    expect(Object.keys(stack.output!).sort()).toEqual(OFFER_FIELDS);
    const values = offer(stack);
    expect(values).toMatchObject({
      storage_driver: "amazons3",
      storage_region: "eu-west-1",
      storage_endpoint: "s3.eu-west-1.amazonaws.com",
      storage_ssl: "true",
      storage_sse: "false",
      storage_path_prefix: "",
      storage_role_arn: "",
      storage_claim_name: "",
      storage_namespace: "${kubernetes_namespace_v1.namespace.metadata[0].name}",
    });
    expect(values.storage_bucket).toMatch(/^\$\{aws_s3_bucket\.[\w-]+\.bucket\}$/);
    expect(values.storage_access_key_id).toMatch(/^\$\{aws_iam_access_key\.[\w-]+\.id\}$/);
    expect(values.storage_secret_access_key).toMatch(/^\$\{aws_iam_access_key\.[\w-]+\.secret\}$/);
    expect(stack.output!.storage_secret_access_key.sensitive).toBe(true);
    expect(stack.output!.storage_access_key_id.sensitive).toBe(false);
    expect(onlyResource(stack, "aws_iam_access_key").user).toMatch(/^\$\{aws_iam_user\.[\w-]+\.name\}$/);
  });
});

describe("storage stack, kind s3 options", () => {
  test("an explicit bucket name is used as is", () => {
    const bucket = onlyResource(storageStack(withS3({ bucketName: "acme-chat-files" })), "aws_s3_bucket");
    expect(bucket.bucket).toBe("acme-chat-files");
    expect(bucket.bucket_prefix).toBeUndefined();
  });

  test("a 20-character environment name still fits the provider's bucket prefix limit", () => {
    const bucket = onlyResource(storageStack(withS3({}), "eu-central-staging-1"), "aws_s3_bucket");
    expect(bucket.bucket_prefix).toBe("mm-eu-central-staging-1-files-");
    expect(bucket.bucket_prefix.length).toBeLessThanOrEqual(MAX_BUCKET_PREFIX_LENGTH);
  });

  test("a KMS key: SSE-KMS with a bucket key, and the user may use exactly that key", () => {
    const stack = storageStack(withS3({ kmsKeyArn: KMS_KEY_ARN }));
    const [rule] = onlyResource(stack, "aws_s3_bucket_server_side_encryption_configuration").rule;
    expect(rule).toEqual({ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KMS_KEY_ARN }, bucket_key_enabled: true });
    const statements = statementsOf(stack, onlyResource(stack, "aws_iam_user_policy").policy);
    // Only through S3 in the key's region: leaked credentials cannot use the key directly.
    expect(statements).toContainEqual({
      sid: "UseBucketKey",
      effect: "Allow",
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: [KMS_KEY_ARN],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] }],
    });
    expect(allowed(statements).actions.filter((a) => a.includes("*"))).toEqual([]);
  });

  test("with IRSA the role's policy carries the same kms:ViaService condition", () => {
    const stack = storageStack(withS3({ kmsKeyArn: KMS_KEY_ARN, access: "irsa", irsa: { oidcProviderArn: OIDC_PROVIDER_ARN } }));
    const statements = statementsOf(stack, onlyResource(stack, "aws_iam_role_policy").policy);
    expect(statements.filter((s) => s.actions.some((a: string) => a.startsWith("kms:")))).toEqual([
      {
        sid: "UseBucketKey",
        effect: "Allow",
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [KMS_KEY_ARN],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] }],
      },
    ]);
  });

  test("without a KMS key the policy grants no KMS action", () => {
    const stack = storageStack(withS3({}));
    const statements = statementsOf(stack, onlyResource(stack, "aws_iam_user_policy").policy);
    expect(allowed(statements).actions.filter((a) => a.startsWith("kms:"))).toEqual([]);
  });

  test("noncurrentVersionDays sets when old versions expire", () => {
    const lifecycle = onlyResource(storageStack(withS3({ noncurrentVersionDays: 90 })), "aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
  });

  test("serverSideEncryption reaches the offer's sse", () => {
    expect(offer(storageStack(withS3({ serverSideEncryption: true }))).storage_sse).toBe("true");
  });

  test("a China region gets the amazonaws.com.cn endpoint", () => {
    const stack = storageStack(withS3({}, (env) => {
      env.aws.region = "cn-north-1";
      env.backend.region = "cn-north-1";
      env.database.sslMode = "require"; // no bundled RDS CA for China: see database-config.test.ts
    }));
    expect(offer(stack).storage_endpoint).toBe("s3.cn-north-1.amazonaws.com.cn");
  });
});

describe("storage stack, kind s3 with IRSA", () => {
  const stack = storageStack(withS3({ access: "irsa", irsa: { oidcProviderArn: OIDC_PROVIDER_ARN } }, (env) => (env.kubernetes = { namespace: "chat" })));

  test("a role that only Mattermost's service account may assume, through the cluster's OIDC provider", () => {
    const role = onlyResource(stack, "aws_iam_role");
    expect(role).toMatchObject({ name: "mattermost-dev-files", path: "/mattermost/" });
    expect(statementsOf(stack, role.assume_role_policy)).toEqual([
      expect.objectContaining({
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [OIDC_PROVIDER_ARN] }],
        condition: [
          { test: "StringEquals", variable: `${OIDC_ISSUER}:sub`, values: [`system:serviceaccount:chat:${mattermostServiceAccountName("dev")}`] },
          { test: "StringEquals", variable: `${OIDC_ISSUER}:aud`, values: ["sts.amazonaws.com"] },
        ],
      }),
    ]);
    expect(mattermostServiceAccountName("dev")).toBe("mattermost-dev");
  });

  test("the role has the same least-privilege policy as the user would", () => {
    const policy = onlyResource(stack, "aws_iam_role_policy");
    expect(policy.role).toMatch(/^\$\{aws_iam_role\.[\w-]+\.name\}$/);
    const granted = allowed(statementsOf(stack, policy.policy));
    expect(granted.actions.sort()).toEqual(["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]);
    expect(granted.resources).toEqual([expect.stringMatching(BUCKET_ARN), expect.stringMatching(OBJECTS_ARN)]);
  });

  test("no IAM user and no static key exist", () => {
    expect(resources(stack, "aws_iam_user")).toEqual([]);
    expect(resources(stack, "aws_iam_access_key")).toEqual([]);
  });

  test("offers the role ARN and empty keys", () => {
    const values = offer(stack);
    expect(values.storage_role_arn).toMatch(/^\$\{aws_iam_role\.[\w-]+\.arn\}$/);
    expect(values.storage_access_key_id).toBe("");
    expect(values.storage_secret_access_key).toBe("");
    expect(values).toMatchObject({ storage_driver: "amazons3", storage_ssl: "true", storage_endpoint: "s3.eu-west-1.amazonaws.com" });
  });

  test("the bucket is the same locked-down bucket as with keys", () => {
    expect(resourceTypes(stack)).toEqual([
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_s3_bucket",
      "aws_s3_bucket_lifecycle_configuration",
      "aws_s3_bucket_ownership_controls",
      "aws_s3_bucket_policy",
      "aws_s3_bucket_public_access_block",
      "aws_s3_bucket_server_side_encryption_configuration",
      "aws_s3_bucket_versioning",
      "kubernetes_namespace_v1",
    ]);
  });
});

describe("storage stack, kind external", () => {
  const stack = storageStack(withExternal({ endpoint: "https://minio.example.com:9000", region: "eu-1", pathPrefix: "mattermost/files" }));

  test("creates nothing but the namespace, and needs no AWS provider", () => {
    expect(resourceTypes(stack)).toEqual(["kubernetes_namespace_v1"]);
    expect(stack.provider?.aws).toBeUndefined();
  });

  test("the keys are variables; the secret one is sensitive", () => {
    expect(stack.variable!.storage_access_key_id).toMatchObject({ type: "string" });
    expect(stack.variable!.storage_access_key_id.sensitive).toBeFalsy();
    expect(stack.variable!.storage_secret_access_key).toMatchObject({ type: "string", sensitive: true });
  });

  test("plan fails with a clear message when a key is empty", () => {
    for (const name of ["storage_access_key_id", "storage_secret_access_key"]) {
      expect((stack.variable as any)[name].validation).toEqual([
        {
          condition: `\${length(var.${name}) > 0}`,
          error_message: expect.stringMatching(new RegExp(`^${name} is empty: set the .* for bucket chat-files as TF_VAR_${name} \\(or a sensitive workspace variable in Terraform Cloud\\)\\.$`)),
        },
      ]);
    }
  });

  test("offers the endpoint as host:port, SSL from the scheme, the path prefix, and the keys (the secret sensitive)", () => {
    const values = offer(stack);
    expect(values).toMatchObject({
      storage_driver: "amazons3",
      storage_bucket: "chat-files",
      storage_region: "eu-1",
      storage_endpoint: "minio.example.com:9000",
      storage_ssl: "true",
      storage_path_prefix: "mattermost/files",
      storage_access_key_id: "${var.storage_access_key_id}",
      storage_secret_access_key: "${var.storage_secret_access_key}",
      storage_role_arn: "",
      storage_claim_name: "",
    });
    expect(stack.output!.storage_secret_access_key.sensitive).toBe(true);
  });

  test("http:// means no SSL; a scheme's default port is left out; region defaults to us-east-1", () => {
    const plain = offer(storageStack(withExternal({ endpoint: "http://minio.storage.svc:9000" })));
    expect(plain).toMatchObject({ storage_endpoint: "minio.storage.svc:9000", storage_ssl: "false", storage_region: "us-east-1", storage_path_prefix: "" });
    expect(offer(storageStack(withExternal({ endpoint: "https://s3.example.com:443" }))).storage_endpoint).toBe("s3.example.com");
  });
});

describe("Mattermost's namespace lives in the storage stack, whatever the kind", () => {
  const kinds: [string, StackJson][] = [
    ["local", synthShipped()["local-storage"]],
    ["s3", synthShipped()["production-storage"]],
    ["external", storageStack(withExternal({}))],
  ];

  test.each(kinds)("%s: one namespace, Pod Security restricted, protected from destroy, published in the offer", (_kind, stack) => {
    const namespace = stack.resource!.kubernetes_namespace_v1.namespace;
    expect(namespace.metadata).toMatchObject({ name: "mattermost", labels: { "pod-security.kubernetes.io/enforce": "restricted", "app.kubernetes.io/component": "namespace" } });
    expect(namespace.lifecycle).toEqual({ prevent_destroy: true });
    expect(offer(stack).storage_namespace).toBe("${kubernetes_namespace_v1.namespace.metadata[0].name}");
    expect(stack.provider!.kubernetes).toHaveLength(1);
  });

  test.each(kinds)("%s: a storage state from before keeps its namespace (moved from the old address, never replaced)", (_kind, stack) => {
    expect((stack as any).moved).toEqual([{ from: "kubernetes_namespace_v1.files_namespace_7989ADAF", to: "kubernetes_namespace_v1.namespace" }]);
  });

  test("the claim keeps its address (files/claim), so an existing claim is not replaced", () => {
    expect(Object.keys(synthShipped()["local-storage"].resource!.kubernetes_persistent_volume_claim_v1)).toEqual(["files_claim_97B47056"]);
  });
});

describe("IAM access keys rotate through versions, with both keys valid in between", () => {
  const keys = (stack: StackJson) => Object.keys(stack.resource!.aws_iam_access_key).sort();

  test("version 1 (the default) keeps the address the key always had", () => {
    expect(keys(synthShipped()["production-storage"])).toEqual(["access_access-key_34D2F5DF"]);
  });

  test("rotating: the new version is published, the previous key still exists", () => {
    const stack = storageStack(withS3({ accessKeyVersion: 2, previousAccessKeyVersion: 1 }));
    expect(keys(stack)).toEqual(["access_access-key-v2_40FB9CD9", "access_access-key_34D2F5DF"].sort());
    expect(offer(stack).storage_access_key_id).toBe("${aws_iam_access_key.access_access-key-v2_40FB9CD9.id}");
    expect(offer(stack).storage_secret_access_key).toBe("${aws_iam_access_key.access_access-key-v2_40FB9CD9.secret}");
  });

  test("after the app is deployed: only the new key is left", () => {
    expect(keys(storageStack(withS3({ accessKeyVersion: 2 })))).toEqual(["access_access-key-v2_40FB9CD9"]);
  });
});

describe("rejected storage settings name the key and the fix", () => {
  const cases: [string, any, RegExp][] = [
    [
      "IRSA without the OIDC provider",
      withS3({ access: "irsa" }),
      /dev\.yaml: storage\.irsa\.oidcProviderArn: is required when storage\.access is irsa; add irsa: \{ oidcProviderArn: .* or use access: keys/,
    ],
    ["IRSA settings with access: keys", withS3({ irsa: { oidcProviderArn: OIDC_PROVIDER_ARN } }), /storage\.irsa: is only used with storage\.access: irsa; set access: irsa or remove it/],
    ["an OIDC provider that is not an ARN", withS3({ access: "irsa", irsa: { oidcProviderArn: "https://oidc.eks.eu-west-1.amazonaws.com/id/X" } }), /storage\.irsa\.oidcProviderArn: must be an IAM OIDC provider ARN such as arn:aws:iam::/],
    ["an unknown access mode", withS3({ access: "role" }), /storage\.access: must be keys or irsa/],
    ["a KMS alias instead of a key ARN", withS3({ kmsKeyArn: "alias/mattermost" }), /storage\.kmsKeyArn: must be a KMS key ARN such as arn:aws:kms:.* \(a key ARN, not an alias\)/],
    ["a bucket name with capitals", withS3({ bucketName: "Chat_Files" }), /storage\.bucketName: must be an S3 bucket name: 3-63 lowercase letters, .* \(got "Chat_Files"\)/],
    ["a bucket name with two dots", withS3({ bucketName: "chat..files" }), /storage\.bucketName: must not contain two dots in a row \(got "chat\.\.files"\)/],
    ["a bucket name like an IP address", withS3({ bucketName: "192.168.1.10" }), /storage\.bucketName: must not look like an IP address/],
    ["a bucket name with a reserved prefix", withS3({ bucketName: "xn--chat" }), /storage\.bucketName: uses a prefix or suffix AWS reserves .* choose another name/],
    ["zero days of old versions", withS3({ noncurrentVersionDays: 0 }), /storage\.noncurrentVersionDays: must be at least 1 \(days\)/],
    [
      "Mattermost's SSE without the licence",
      withS3({ serverSideEncryption: true }, (env) => (env.mattermost.licensed = false)),
      /storage\.serverSideEncryption: needs an Enterprise licence; set mattermost\.licensed: true or turn it off/,
    ],
    [
      "a previous access key that is not older",
      withS3({ accessKeyVersion: 2, previousAccessKeyVersion: 2 }),
      /storage\.previousAccessKeyVersion: is 2 but accessKeyVersion is 2: the previous key must be older; to rotate, set accessKeyVersion: 3 and keep previousAccessKeyVersion: 2/,
    ],
    [
      "an access key version with IRSA",
      withS3({ access: "irsa", irsa: { oidcProviderArn: OIDC_PROVIDER_ARN }, accessKeyVersion: 2 }),
      /storage\.accessKeyVersion: is only used with access: keys \(IRSA has no static key to rotate\); remove it/,
    ],
    ["an access key version of 0", withS3({ accessKeyVersion: 0 }), /storage\.accessKeyVersion: must be a whole number, at least 1/],
    [
      "several replicas on a ReadWriteOncePod claim",
      { ...localInput(), storage: { kind: "local", accessMode: "ReadWriteOncePod" }, mattermost: { ...localInput().mattermost, image: "mattermost/mattermost-enterprise-edition:10.11.4", replicas: 2, clustering: true, licensed: true } },
      /storage\.accessMode: is ReadWriteOncePod but mattermost\.replicas is 2: .*use ReadWriteMany or storage\.kind: s3/,
    ],
    ["a key of another kind", withS3({ endpoint: "https://minio.example.com" }), /storage\.endpoint: not a key of storage\.kind s3; allowed keys here: access, accessKeyVersion, bucketName, existingBucket, irsa, kind, kmsKeyArn, noncurrentVersionDays, pathPrefix, previousAccessKeyVersion, serverSideEncryption$/],
    ["an endpoint with a path", withExternal({ endpoint: "https://minio.example.com/chat-files" }), /storage\.endpoint: must be just scheme:\/\/host\[:port\] .* put the bucket in storage\.bucket and a folder in storage\.pathPrefix/],
    ["an endpoint without http(s)", withExternal({ endpoint: "minio.example.com:9000" }), /storage\.endpoint: must start with http:\/\/ or https:\/\/ and name a host/],
    ["a path prefix with a leading slash", withExternal({ pathPrefix: "/mattermost" }), /storage\.pathPrefix: must be a relative folder such as mattermost\/files: no leading, trailing or doubled '\/'/],
    ["an external bucket without a name", withExternal({ bucket: "" }), /storage\.bucket: name the bucket/],
    ["a claim size without a unit", { ...localInput(), storage: { kind: "local", size: "10" } }, /storage\.size: must be a Kubernetes quantity such as 10Gi/],
    ["an unknown access mode for the claim", { ...localInput(), storage: { kind: "local", accessMode: "ReadOnlyMany" } }, /storage\.accessMode: must be one of ReadWriteOnce, ReadWriteMany, ReadWriteOncePod/],
    ["a storage class that is not a Kubernetes name", { ...localInput(), storage: { kind: "local", storageClassName: "Fast SSD" } }, /storage\.storageClassName: must be a Kubernetes name/],
    [
      "several replicas on a ReadWriteOnce claim",
      { ...localInput(), storage: { kind: "local" }, mattermost: { ...localInput().mattermost, image: "mattermost/mattermost-enterprise-edition:10.11.4", replicas: 3, clustering: true, licensed: true } },
      /storage\.accessMode: is ReadWriteOnce but mattermost\.replicas is 3: .*use ReadWriteMany or storage\.kind: s3/,
    ],
    ["an unknown kind", { ...localInput(), storage: { kind: "nfs" } }, /storage\.kind: unknown kind; set storage\.kind to local \(a PersistentVolumeClaim\), s3 \(.*\) or external \(.*\)/],
  ];

  test.each(cases)("%s", (_name, input, message) => {
    expect(problemsOf(input)).toEqual([expect.stringMatching(message)]);
  });
});
