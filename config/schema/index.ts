export * from "./aws";
export * from "./backend";
export * from "./common";
export * from "./database";
export * from "./environment";
export * from "./kubernetes";
export * from "./mattermost";
export * from "./storage";
