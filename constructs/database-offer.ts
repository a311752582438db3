import { Offer } from "./offer";

export type DatabaseOfferField = "host" | "port" | "database" | "user" | "password" | "sslMode" | "dsn";

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
    dsn: { description: "postgres:// DSN for MM_SQLSETTINGS_DATASOURCE and MM_CONFIG", sensitive: true },
  },
};
