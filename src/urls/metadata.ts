/**
 * Cloud metadata and platform endpoints, refused by the URL screen (`address.ts`) whatever the
 * port or spelling. Most sit inside ranges the screen refuses anyway (link-local, CGNAT,
 * unique-local IPv6); they are listed so the refusal names the endpoint and so a later change
 * to the ranges cannot reopen one. Azure's WireServer (168.63.129.16) and the DNS names are public
 * as far as the range tables know: only this table refuses them.
 *
 * To add an endpoint, add a row with the page that documents it; the tests derive their spellings
 * (decimal, hex, octal, IPv4-mapped, ports…) from this table.
 */
export interface MetadataEndpoint {
  provider: string;
  /** Dotted IPv4, IPv6 without brackets, or a DNS name, lower case. */
  host: string;
  /** Ports the documentation names besides 80 (the screen refuses every port). */
  ports?: readonly number[];
  source: string;
}

export const METADATA_ENDPOINTS: readonly MetadataEndpoint[] = [
  {
    // One address, many clouds: Azure IMDS, GCP, Oracle, DigitalOcean, Hetzner, OpenStack,
    // Linode, Vultr, Exoscale, IBM and others serve their metadata here too.
    provider: "AWS EC2 instance metadata (IMDS) and most other clouds",
    host: "169.254.169.254",
    source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html",
  },
  {
    provider: "AWS EC2 instance metadata over IPv6",
    host: "fd00:ec2::254",
    source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html",
  },
  {
    provider: "AWS ECS task metadata and credentials",
    host: "169.254.170.2",
    source:
      "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v2.html",
  },
  {
    provider: "AWS EKS Pod Identity agent",
    host: "169.254.170.23",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html",
  },
  {
    provider: "AWS EKS Pod Identity agent over IPv6",
    host: "fd00:ec2::23",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html",
  },
  {
    provider: "Azure WireServer and host agent (IMDS proxy)",
    host: "168.63.129.16",
    ports: [32526],
    source: "https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16",
  },
  {
    provider: "GCP metadata server",
    host: "metadata.google.internal",
    source: "https://cloud.google.com/compute/docs/metadata/querying-metadata",
  },
  {
    provider: "Oracle Cloud legacy metadata",
    host: "192.0.0.192",
    source: "https://docs.oracle.com/en-us/iaas/Content/Compute/Tasks/gettingmetadata.htm",
  },
  {
    provider: "Alibaba Cloud ECS metadata",
    host: "100.100.100.200",
    source: "https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata",
  },
  {
    provider: "Tencent Cloud metadata (name)",
    host: "metadata.tencentyun.com",
    source: "https://www.tencentcloud.com/document/product/213/4934",
  },
  {
    provider: "Tencent Cloud metadata (address)",
    host: "169.254.0.23",
    source: "https://www.tencentcloud.com/document/product/213/4934",
  },
  {
    provider: "IBM Cloud VPC metadata (name)",
    host: "api.metadata.cloud.ibm.com",
    source: "https://cloud.ibm.com/docs/vpc?topic=vpc-imd-about",
  },
  {
    provider: "Akamai (Linode) metadata over IPv6",
    host: "fd00:a9fe:a9fe::1",
    source: "https://techdocs.akamai.com/cloud-computing/docs/overview-of-the-metadata-service",
  },
  {
    provider: "Scaleway instance metadata",
    host: "169.254.42.42",
    source: "https://www.scaleway.com/en/developers/api/instance/user-data",
  },
  {
    provider: "Scaleway instance metadata over IPv6",
    host: "fd00:42::42",
    source: "https://www.scaleway.com/en/developers/api/instance/user-data",
  },
];
