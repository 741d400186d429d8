import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { policy, PolicyDocument, renderPolicy } from './policy';
import { ROTATION_SECRET_ACTIONS } from './rotation';

/**
 * The endpoint policy: only principals of our own accounts, only on secrets of our own
 * accounts. A stolen credential of another account cannot use our endpoint to reach its own
 * secrets (data exfiltration path), and our principals cannot reach foreign secrets.
 */
export function endpointPolicy(accountIds: string[], region: string): PolicyDocument {
  return policy([
    {
      Sid: 'OwnAccountsOwnSecrets',
      Effect: 'Allow',
      Principal: '*',
      // What rotation functions call (readers need a subset of it).
      Action: [...ROTATION_SECRET_ACTIONS],
      Resource: accountIds.map((a) => `arn:aws:secretsmanager:${region}:${a}:secret:*`),
      Condition: { StringEquals: { 'aws:PrincipalAccount': accountIds } },
    },
    {
      // GetRandomPassword has no resource; it is allowed for our principals only.
      Sid: 'RandomPasswordsForOwnAccounts',
      Effect: 'Allow',
      Principal: '*',
      Action: 'secretsmanager:GetRandomPassword',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': accountIds } },
    },
  ]);
}

/** The broadest IPv4 client range the endpoint admits: a subnet of clients, never a VPC or more. */
export const MIN_ENDPOINT_CLIENT_PREFIX = 24;

/**
 * Client CIDRs the endpoint must refuse: not an IPv4 CIDR, or broader than a /24. A pair such as
 * 0.0.0.0/1 + 128.0.0.0/1 is the whole Internet without ever writing 0.0.0.0/0.
 */
export function broadClientCidrs(cidrs: string[]): string[] {
  return cidrs.filter((c) => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(c);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255)) return true;
    const prefix = Number(m[5]);
    return prefix < MIN_ENDPOINT_CLIENT_PREFIX || prefix > 32;
  });
}

export interface SecretsManagerEndpointProps {
  vpcId: string;
  subnetIds: string[];
  accountId: string;
  region: string;
  /** Security groups of other clients (ECS services, functions) allowed to reach the endpoint on 443. */
  clientSecurityGroupIds: string[];
  /** Exact CIDRs of other clients (a /24 or narrower) allowed to reach the endpoint on 443. */
  clientCidrs: string[];
  create: boolean;
  tags?: Record<string, string>;
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
    const broad = broadClientCidrs(props.clientCidrs);
    if (broad.length > 0) {
      // The catalog guardrail (NET-endpoint-clients) reports this first; this keeps the construct safe on its own.
      throw new Error(`Secrets Manager endpoint: client CIDRs ${broad.join(', ')} are broader than /${MIN_ENDPOINT_CLIENT_PREFIX}; name the clients' security groups instead`);
    }
    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: 'secretsmanager-endpoint',
      description: 'Secrets Manager VPC endpoint: HTTPS from rotation functions and named clients only',
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
      tags: props.tags,
    });
    props.clientCidrs.forEach((cidr, i) =>
      new VpcSecurityGroupIngressRule(this, `client-${i}`, {
        securityGroupId: this.securityGroup.id,
        description: `HTTPS from ${cidr}`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
      }),
    );
    props.clientSecurityGroupIds.forEach((sg, i) =>
      new VpcSecurityGroupIngressRule(this, `client-sg-${i}`, {
        securityGroupId: this.securityGroup.id,
        description: `HTTPS from client security group ${sg}`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        referencedSecurityGroupId: sg,
      }),
    );
    if (props.create) {
      this.endpoint = new VpcEndpoint(this, 'endpoint', {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.secretsmanager`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: props.subnetIds,
        securityGroupIds: [this.securityGroup.id],
        policy: renderPolicy(endpointPolicy([props.accountId], props.region)),
        tags: props.tags,
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
