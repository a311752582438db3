import { loadEnvironments } from "../../config/load";
import { awsInput, environmentsFolder, localInput, rejectionsOf } from "../support/synth";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTCA0000000000000000000000wCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n";

/** The problems synth reports for one environment file `dev.yaml` built from `base` and `change`. */
function problemsOf(base: () => any, change: (database: any) => void): string[] {
  const env = base();
  change(env.database);
  return rejectionsOf({ "dev.yaml": env });
}

function accepted(base: () => any, change: (database: any) => void): any {
  const env = base();
  change(env.database);
  return loadEnvironments(environmentsFolder({ "dev.yaml": env }))[0].config.database;
}

describe("database keys: defaults", () => {
  test("an existing server: port 5432, admin postgres, sslmode require, names mattermost, no connection limit", () => {
    expect(accepted(localInput, (d) => delete d.sslMode)).toEqual({
      kind: "external",
      host: "db.internal",
      port: 5432,
      adminUser: "postgres",
      sslMode: "require",
      name: "mattermost",
      user: "mattermost",
      connectionLimit: -1,
    });
  });

  test("RDS: deletion protection, 7 days of backups, logs kept 30 days, no Performance Insights", () => {
    expect(accepted(awsInput, () => {})).toMatchObject({
      deletionProtection: true,
      backupRetentionDays: 7,
      multiAz: false,
      sslMode: "require",
      performanceInsights: false,
      logExports: ["postgresql", "upgrade"],
      logRetentionDays: 30,
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 100,
    });
  });

  test("a CA with verify-ca is accepted", () => {
    expect(accepted(localInput, (d) => Object.assign(d, { sslMode: "verify-ca", caCertificate: CA })).caCertificate).toBe(CA);
  });
});

describe("database keys: each rejected input names the key and the fix", () => {
  test("RDS open to the whole internet", () => {
    expect(problemsOf(awsInput, (d) => (d.allowedCidrs = ["10.0.0.0/16", "0.0.0.0/0"]))).toEqual([
      expect.stringMatching(
        /dev\.yaml: database\.allowedCidrs\.1: is 0\.0\.0\.0\/0, which would open PostgreSQL to the whole internet; list only the networks Mattermost runs in .* or use database\.allowedSecurityGroupIds$/,
      ),
    ]);
    expect(problemsOf(awsInput, (d) => (d.allowedCidrs = ["::/0"]))[0]).toMatch(/database\.allowedCidrs\.0: is ::\/0, which would open PostgreSQL to the whole internet/);
  });

  test("RDS that nothing may reach", () => {
    const problems = problemsOf(awsInput, (d) => {
      d.allowedCidrs = [];
      d.allowedSecurityGroupIds = [];
    });
    expect(problems).toEqual([
      expect.stringMatching(/dev\.yaml: database\.allowedCidrs: nothing may reach PostgreSQL: list the cluster's networks in database\.allowedCidrs or its security groups in database\.allowedSecurityGroupIds$/),
    ]);
  });

  test("an autoscaling ceiling below the allocated storage", () => {
    expect(problemsOf(awsInput, (d) => Object.assign(d, { allocatedStorageGb: 200, maxAllocatedStorageGb: 100 }))).toEqual([
      expect.stringMatching(/dev\.yaml: database\.maxAllocatedStorageGb: is 100 but allocatedStorageGb is 200: .*raise maxAllocatedStorageGb$/),
    ]);
  });

  test("verify-full without the CA (existing server)", () => {
    expect(problemsOf(localInput, (d) => (d.sslMode = "verify-full"))).toEqual([
      expect.stringMatching(/dev\.yaml: database\.caCertificate: is required when database\.sslMode is verify-full: paste the PEM .* or use sslMode: require$/),
    ]);
  });

  test("verify-ca without the CA (RDS) says where AWS publishes it", () => {
    expect(problemsOf(awsInput, (d) => (d.sslMode = "verify-ca"))).toEqual([
      expect.stringMatching(/database\.caCertificate: is required when database\.sslMode is verify-ca: .*https:\/\/truststore\.pki\.rds\.amazonaws\.com\/<region>\/<region>-bundle\.pem/),
    ]);
  });

  test("a CA that would go unused", () => {
    expect(problemsOf(localInput, (d) => (d.caCertificate = CA))).toEqual([
      expect.stringMatching(/database\.caCertificate: is only used with sslMode verify-ca or verify-full \(sslMode is require\); set database\.sslMode: verify-full or remove caCertificate$/),
    ]);
  });

  test("a CA that is not PEM", () => {
    expect(problemsOf(localInput, (d) => Object.assign(d, { sslMode: "verify-full", caCertificate: "/etc/ssl/ca.pem" }))).toEqual([
      expect.stringMatching(/database\.caCertificate: must be one or more PEM certificates .*caCertificate: \|\)$/),
    ]);
  });

  test("sslmode disable against RDS, which only admits TLS", () => {
    expect(problemsOf(awsInput, (d) => (d.sslMode = "disable"))).toEqual([
      expect.stringMatching(/database\.sslMode: must be one of require, verify-ca, verify-full \(the instance only admits TLS\)$/),
    ]);
  });

  test("an unknown sslmode", () => {
    expect(problemsOf(localInput, (d) => (d.sslMode = "prefer"))).toEqual([expect.stringMatching(/database\.sslMode: must be one of require, verify-ca, verify-full, disable$/)]);
  });

  test("a KMS key that is not a key ARN", () => {
    expect(problemsOf(awsInput, (d) => (d.kmsKeyArn = "alias/aws/rds"))).toEqual([expect.stringMatching(/database\.kmsKeyArn: must be a KMS key ARN such as arn:aws:kms:/)]);
  });

  test("a log retention CloudWatch does not offer", () => {
    expect(problemsOf(awsInput, (d) => (d.logRetentionDays = 10))).toEqual([expect.stringMatching(/database\.logRetentionDays: must be one of the periods CloudWatch accepts: 1, 3, 5, 7, 14, 30/)]);
  });

  test("an unknown log export", () => {
    expect(problemsOf(awsInput, (d) => (d.logExports = ["audit"]))).toEqual([expect.stringMatching(/database\.logExports\.0: must be postgresql or upgrade$/)]);
  });

  test("a connection limit below -1", () => {
    expect(problemsOf(localInput, (d) => (d.connectionLimit = -2))).toEqual([expect.stringMatching(/database\.connectionLimit: must be -1 \(no limit\) or a number of connections$/)]);
  });

  test("backups kept less than a day", () => {
    expect(problemsOf(awsInput, (d) => (d.backupRetentionDays = 0))).toEqual([expect.stringMatching(/database\.backupRetentionDays: keep automated backups at least 1 day$/)]);
  });

  test("RDS keys on an existing server", () => {
    expect(problemsOf(localInput, (d) => (d.kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/abcd"))).toEqual([
      expect.stringMatching(/database\.kmsKeyArn: not a key of database\.kind external; allowed keys here: (adminHost, adminPort, )?adminUser, (adopt, )?caCertificate, /),
    ]);
  });

  test("Mattermost's role is the admin", () => {
    expect(problemsOf(localInput, (d) => Object.assign(d, { adminUser: "mattermost" }))).toEqual([
      expect.stringMatching(/database\.user: is also database\.adminUser \(mattermost\); Mattermost needs a role of its own: keep user: mattermost or name another role$/),
    ]);
    expect(problemsOf(awsInput, (d) => (d.user = "mattermost_admin"))).toEqual([
      expect.stringMatching(/database\.user: is the instance's master user \(mattermost_admin\); Mattermost needs a role of its own/),
    ]);
  });

  test("an empty admin user", () => {
    expect(problemsOf(localInput, (d) => (d.adminUser = ""))).toEqual([expect.stringMatching(/database\.adminUser: name the role that creates Mattermost's role and database, such as postgres$/)]);
  });
});
