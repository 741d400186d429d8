import { on, rule } from '../rule';
import { LAMBDA_NAME } from '../support';

export default rule({
  id: 'LAMBDA-NAME',
  explanation: 'Lambda function names are at most 64 letters, digits, "-" and "_".',
  fact: { limit: 'FunctionName: 1-64 characters', page: 'AWS Lambda API Reference: CreateFunction' },
  *check({ plan }) {
    for (const f of plan.rotationFunctions) {
      if (!LAMBDA_NAME.test(f.functionName))
        yield on(
          `rotation function ${f.key}`,
          `function name "${f.functionName}" is not 1-64 letters, digits, "-" and "_"`,
          'shorten the environment prefix',
        );
    }
  },
});
