import { Offer } from "./offer";

export type DatabaseOfferField = "host" | "port" | "database" | "user" | "password" | "sslMode" | "caCertificate" | "dsn";

/**
 * Where the app mounts `caCertificate` (key `ca.crt` of a Secret mounted at `/mattermost/db-ca`).
 * The DSN names this path as `sslrootcert` when the offer carries a CA, so the two must agree.
 */
export const DATABASE_CA_MOUNT_DIR = "/mattermost/db-ca";
export const DATABASE_CA_FILE = "ca.crt";
export const DATABASE_CA_PATH = `${DATABASE_CA_MOUNT_DIR}/${DATABASE_CA_FILE}`;

/** What the database stack hands the app: where Mattermost's database is and how to log in. */
export const DATABASE_OFFER: Offer<DatabaseOfferField> = {
  name: "database",
  fields: {
    host: { description: "PostgreSQL host name" },
    port: { description: "PostgreSQL port" },
    database: { description: "Mattermost's database" },
    user: { description: "Mattermost's login role" },
    password: { description: "Password of Mattermost's login role", sensitive: true },
    sslMode: { description: "sslmode Mattermost connects with" },
    caCertificate: { description: `PEM of the CA that signed the server's certificate, for verify-ca/verify-full (mount it at ${DATABASE_CA_PATH}); empty when none` },
    dsn: { description: "postgres:// DSN for MM_SQLSETTINGS_DATASOURCE and MM_CONFIG", sensitive: true },
  },
};
