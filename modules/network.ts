import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { PolicyDocument, renderPolicy } from '../plan/policy';

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
   * Create the endpoint; false when the VPC already has one (only the security group is made).
   * @default true
   */
  readonly create?: boolean;
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
  readonly securityGroup: SecurityGroup;
  readonly endpoint?: VpcEndpoint;

  constructor(scope: Construct, id: string, props: SecretsManagerEndpointProps) {
    super(scope, id);
    const broad = broadClientCidrs(props.clientCidrs ?? []);
    if (broad.length > 0) {
      // The catalog guardrail (NET-ENDPOINT-CLIENTS) reports this first; this keeps the construct safe on its own.
      throw new Error(`Secrets Manager endpoint: client CIDRs ${broad.join(', ')} are broader than /${MIN_ENDPOINT_CLIENT_PREFIX}; name the clients' security groups instead`);
    }
    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: 'secretsmanager-endpoint',
      description: 'Secrets Manager VPC endpoint: HTTPS from rotation functions and named clients only',
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    (props.clientCidrs ?? []).forEach((cidr, i) =>
      new VpcSecurityGroupIngressRule(this, `client-${i}`, {
        securityGroupId: this.securityGroup.id,
        description: `HTTPS from ${cidr}`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
      }),
    );
    (props.clientSecurityGroupIds ?? []).forEach((sg, i) =>
      new VpcSecurityGroupIngressRule(this, `client-sg-${i}`, {
        securityGroupId: this.securityGroup.id,
        description: `HTTPS from client security group ${sg}`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        referencedSecurityGroupId: sg,
      }),
    );
    if (props.create ?? true) {
      this.endpoint = new VpcEndpoint(this, 'endpoint', {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.secretsmanager`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [this.securityGroup.id],
        policy: renderPolicy(props.policy),
        tags: props.tags ? { ...props.tags } : undefined,
      });
    }
  }

  /** Admits a rotation function's security group on 443. */
  allowFrom(id: string, securityGroupId: string, description: string): void {
    new VpcSecurityGroupIngressRule(this, `from-${id}`, {
      securityGroupId: this.securityGroup.id,
      description,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: securityGroupId,
    });
  }
}
