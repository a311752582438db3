import { z } from "zod";

/** AWS settings shared by the stacks that create AWS resources. */
export const awsSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-west-1"),
  })
  .strict();

export type AwsConfig = z.output<typeof awsSchema>;
