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

export interface SecretsManagerEndpointProps {
  vpcId: string;
  subnetIds: string[];
  accountId: string;
  region: string;
  /** CIDRs of other clients (e.g. ECS task subnets) allowed to reach the endpoint on 443. */
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
