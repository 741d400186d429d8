import { on, rule } from '../rule';

export default rule({
  id: 'NET-ENDPOINT-EXISTING',
  explanation:
    "With createSecretsManagerEndpoint: false, the catalog names the existing endpoint's security group, so the rotation functions (which reach Secrets Manager only through it) get egress to it and it admits them; its other clients stay its owner's to admit.",
  fact: {
    limit:
      "a security group denies traffic no rule allows, on both sides (the function's egress and the endpoint's ingress); with private DNS every call to secretsmanager.<region>.amazonaws.com in the VPC goes to the endpoint",
    page: 'AWS PrivateLink Guide: Access an AWS service using an interface VPC endpoint (security groups, private DNS); AWS Lambda Developer Guide: Connecting to interface VPC endpoints',
  },
  *check({ plan }) {
    const n = plan.catalog.network;
    if (!n) return;
    if (n.createSecretsManagerEndpoint !== false) {
      if (n.existingEndpointSecurityGroupId !== undefined)
        yield on(
          'network',
          'existingEndpointSecurityGroupId is set, but the platform creates its own endpoint (createSecretsManagerEndpoint is not false)',
          'remove existingEndpointSecurityGroupId, or set createSecretsManagerEndpoint: false to use the existing endpoint',
        );
      return;
    }
    if (n.existingEndpointSecurityGroupId === undefined) {
      yield on(
        'network',
        'createSecretsManagerEndpoint is false but no existingEndpointSecurityGroupId: the rotation functions could not reach the existing endpoint, and rotation would time out',
        "name the existing endpoint's security group in network.existingEndpointSecurityGroupId (it must have private DNS enabled)",
      );
    }
    const clients = [...(n.endpointClientSecurityGroupIds ?? []), ...(n.endpointClientCidrs ?? [])];
    if (clients.length > 0) {
      yield on(
        'network',
        `endpoint clients ${clients.join(', ')} are named for an endpoint this stack does not create; the existing endpoint's own rules admit its clients`,
        "admit them in the existing endpoint's security group, and remove endpointClientSecurityGroupIds and endpointClientCidrs here",
      );
    }
  },
});
