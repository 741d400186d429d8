import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { type PolicyDocument, renderPolicy } from '../plan/policy';

// The endpoint policy is built by plan/policies/network.ts (pure, no cdktf); this construct renders it.
import { broadClientCidrs, MIN_ENDPOINT_CLIENT_PREFIX } from '../plan/policies/network';

export interface SecretsManagerEndpointProps {
  readonly vpcId: string;
  /** Subnets of the endpoint's network interfaces. */
  readonly subnetIds: readonly string[];
  readonly region: string;
  /**
   * CIDRs of other clients (e.g. ECS task subnets) allowed to reach the endpoint on 443.
   * @default - none
   */
  /** Exact client CIDRs (a /24 or narrower); broader ranges are refused. */
  readonly clientCidrs?: readonly string[];
  /** Security groups of named clients (ECS services, functions). */
  readonly clientSecurityGroupIds?: readonly string[];
  /**
   * Create the endpoint; false when the VPC already has one: then `existingSecurityGroupId` is its
   * security group, and this construct creates nothing but the ingress rules `allowFrom` adds to it.
   * @default true
   */
  readonly create?: boolean;
  /** With `create: false`: the existing endpoint's security group (required then). */
  readonly existingSecurityGroupId?: string;
  /** The endpoint policy (see `endpointPolicy`). */
  readonly policy: PolicyDocument;
  /**
   * Tags of the endpoint and its security group.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The Secrets Manager interface endpoint with private DNS, so rotation functions in private
 * subnets reach Secrets Manager without a NAT gateway (without it, rotation times out), and
 * its security group, which admits HTTPS only from the rotation functions and named clients.
 */
export class SecretsManagerEndpoint extends Construct {
  /** The endpoint's security group: the one created here, or the existing endpoint's. */
  readonly securityGroupId: string;
  readonly securityGroup?: SecurityGroup;
  readonly endpoint?: VpcEndpoint;

  constructor(scope: Construct, id: string, props: SecretsManagerEndpointProps) {
    super(scope, id);
    const broad = broadClientCidrs(props.clientCidrs ?? []);
    if (broad.length > 0) {
      // The catalog guardrail (NET-ENDPOINT-CLIENTS) reports this first; this keeps the construct safe on its own.
      throw new Error(
        `Secrets Manager endpoint: client CIDRs ${broad.join(', ')} are broader than /${MIN_ENDPOINT_CLIENT_PREFIX}; name the clients' security groups instead`,
      );
    }
    if (props.create === false) {
      // The guardrail NET-ENDPOINT-EXISTING reports both cases first; the construct stays safe on its own.
      if (!props.existingSecurityGroupId)
        throw new Error(
          "Secrets Manager endpoint: create is false, so existingSecurityGroupId must name the existing endpoint's security group",
        );
      if ((props.clientCidrs ?? []).length + (props.clientSecurityGroupIds ?? []).length > 0) {
        throw new Error(
          'Secrets Manager endpoint: the clients of an existing endpoint are admitted by its own security group rules, not here',
        );
      }
      this.securityGroupId = props.existingSecurityGroupId;
      return;
    }
    const sg = new SecurityGroup(this, 'sg', {
      name: 'secretsmanager-endpoint',
      description: 'Secrets Manager VPC endpoint: HTTPS from rotation functions and named clients only',
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.securityGroup = sg;
    this.securityGroupId = sg.id;
    for (const [i, cidr] of (props.clientCidrs ?? []).entries()) {
      new VpcSecurityGroupIngressRule(this, `client-${i}`, {
        securityGroupId: sg.id,
        description: `HTTPS from ${cidr}`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
      });
    }
    for (const [i, client] of (props.clientSecurityGroupIds ?? []).entries()) {
      new VpcSecurityGroupIngressRule(this, `client-sg-${i}`, {
        securityGroupId: sg.id,
        description: `HTTPS from client security group ${client}`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        referencedSecurityGroupId: client,
      });
    }
    this.endpoint = new VpcEndpoint(this, 'endpoint', {
      vpcId: props.vpcId,
      serviceName: `com.amazonaws.${props.region}.secretsmanager`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: [...props.subnetIds],
      securityGroupIds: [sg.id],
      policy: renderPolicy(props.policy),
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }

  /** Admits a rotation function's security group on 443 (to an existing endpoint's group too). */
  allowFrom(id: string, securityGroupId: string, description: string): void {
    new VpcSecurityGroupIngressRule(this, `from-${id}`, {
      securityGroupId: this.securityGroupId,
      description,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: securityGroupId,
    });
  }
}
