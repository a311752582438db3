import { z } from "zod";
import { cidr, kubernetesName, parseCidr, port } from "./common";

/**
 * Cloud instance metadata services: a pod that reaches them can read the node's cloud credentials.
 * AWS IMDS answers on 169.254.169.254 and, on Nitro instances with IPv6, on fd00:ec2::254 (AWS EC2
 * User Guide, "Access instance metadata"); GCP and Azure use 169.254.169.254 too. No egress rule may
 * contain them.
 */
export const METADATA_ADDRESSES = ["169.254.169.254/32", "fd00:ec2::254/128"] as const;

/** The metadata address inside `network` (a CIDR), if any. */
export function metadataAddressIn(network: string): string | undefined {
  const outer = parseCidr(network);
  if (!outer) return undefined;
  return METADATA_ADDRESSES.find((address) => {
    const inner = parseCidr(address)!;
    if (inner.family !== outer.family) return false;
    const bits = outer.family === "ipv4" ? 32 : 128;
    const shift = BigInt(bits - outer.prefix);
    return inner.start >> shift === outer.start >> shift;
  });
}

/** One place Mattermost's pods may connect to: a network, or the pods of a namespace; on some ports or all. */
export const egressRuleSchema = z
  .object({
    /** A network such as the database subnets, an SMTP relay or a proxy (`10.20.0.0/16`, `10.0.3.7/32`). */
    cidr: cidr.optional(),
    /** Pods of this namespace (an in-cluster PostgreSQL, a proxy, an S3-compatible store). */
    namespace: kubernetesName.optional(),
    /** TCP ports; all ports when omitted. */
    ports: z.array(port).min(1).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if ((rule.cidr === undefined) === (rule.namespace === undefined)) {
      ctx.addIssue({ code: "custom", message: "give exactly one of cidr (a network) or namespace (in-cluster pods)" });
    }
    const metadata = rule.cidr ? metadataAddressIn(rule.cidr) : undefined;
    if (metadata) {
      ctx.addIssue({
        code: "custom",
        path: ["cidr"],
        message: `${rule.cidr} contains the cloud metadata address ${metadata}, which hands out the node's cloud credentials; list a narrower network`,
      });
    }
  });

/**
 * Where Mattermost's pods may connect (the NetworkPolicy's egress) and who may connect to them
 * besides the ingress controller's namespace. See docs/network.md.
 */
export const networkSchema = z
  .object({
    /**
     * Addresses the ingress controller connects from when it is not a pod in
     * `mattermost.ingressControllerNamespace`: a controller on hostNetwork connects from its node's
     * address, which no namespace selector matches. List the nodes' network (e.g. `10.0.0.0/24`).
     */
    ingressControllerCidrs: z.array(cidr).default([]),
    /**
     * Whether the ingress controller sees each client's own address. Behind a load balancer with the
     * Service default `externalTrafficPolicy: Cluster` the nodes source-NAT every connection, so nginx
     * sees node addresses and `mattermost.ingressAllowedSourceRanges` admits everyone (Kubernetes,
     * Service `externalTrafficPolicy`; ingress-nginx, "Retaining Client IPAddress"). Set it to true
     * once the controller's Service has `externalTrafficPolicy: Local` or the load balancer speaks
     * PROXY protocol to nginx (`use-proxy-protocol: "true"`); an allow-list needs it.
     */
    ingressSeesClientAddress: z.boolean().default(false),
    egress: z
      .object({
        /**
         * Public internet addresses (everything but private, shared, loopback and link-local ranges,
         * so never the metadata service): S3, SMTP, the push server, the plugin marketplace, link
         * previews. Turn off when everything goes through `mattermost.outboundProxy`.
         */
        internet: z.boolean().default(true),
        /** Namespace of the cluster's DNS (kube-dns/CoreDNS); port 53 there. */
        dnsNamespace: kubernetesName.default("kube-system"),
        /** Private destinations: the database, an SMTP relay, the proxy, an S3 endpoint in the VPC. */
        allow: z.array(egressRuleSchema).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type NetworkConfig = z.output<typeof networkSchema>;
export type EgressRule = z.output<typeof egressRuleSchema>;
