/**
 * Cloud metadata and platform endpoints, refused by the URL screen (`address.ts`) whatever the
 * port or spelling. Most sit inside ranges the screen refuses anyway (link-local, CGNAT,
 * unique-local IPv6); they are listed so the refusal names the endpoint and so a later change
 * to the ranges cannot reopen one. Azure's WireServer (168.63.129.16) and the DNS names look
 * public to the range tables: only this table refuses them.
 *
 * Each row: host (dotted IPv4, IPv6 without brackets, or a DNS name), who serves it, and the
 * ports the documentation names besides 80 (the screen refuses every port). The source of each
 * row is the comment above it. The tests derive their spellings from this table.
 */
export const METADATA_ENDPOINTS: readonly (readonly [
  host: string,
  provider: string,
  ports?: number[],
])[] = [
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html; the
  // same address serves Azure IMDS, GCP, Oracle, DigitalOcean, Hetzner, OpenStack, Linode,
  // Vultr, Exoscale, IBM and others.
  ["169.254.169.254", "AWS IMDS and most other clouds"],
  ["fd00:ec2::254", "AWS IMDS over IPv6"],
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v2.html
  ["169.254.170.2", "AWS ECS task metadata"],
  // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html
  ["169.254.170.23", "AWS EKS Pod Identity"],
  ["fd00:ec2::23", "AWS EKS Pod Identity over IPv6"],
  // https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16
  ["168.63.129.16", "Azure WireServer", [32526]],
  // https://cloud.google.com/compute/docs/metadata/querying-metadata
  ["metadata.google.internal", "GCP metadata"],
  // https://docs.oracle.com/en-us/iaas/Content/Compute/Tasks/gettingmetadata.htm
  ["192.0.0.192", "Oracle Cloud legacy metadata"],
  // https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata
  ["100.100.100.200", "Alibaba Cloud metadata"],
  // https://www.tencentcloud.com/document/product/213/4934
  ["metadata.tencentyun.com", "Tencent Cloud metadata"],
  ["169.254.0.23", "Tencent Cloud metadata"],
  // https://cloud.ibm.com/docs/vpc?topic=vpc-imd-about
  ["api.metadata.cloud.ibm.com", "IBM Cloud metadata"],
  // https://techdocs.akamai.com/cloud-computing/docs/overview-of-the-metadata-service
  ["fd00:a9fe:a9fe::1", "Akamai (Linode) metadata over IPv6"],
  // https://www.scaleway.com/en/developers/api/instance/user-data
  ["169.254.42.42", "Scaleway metadata"],
  ["fd00:42::42", "Scaleway metadata over IPv6"],
];
