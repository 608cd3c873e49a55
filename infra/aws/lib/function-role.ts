/**
 * The function's execution role, least privilege: its own log group, four item operations on its
 * table, the one secret, ECR on the repositories the config names, and (see `grantSelfInvoke`)
 * invoking itself. No managed policies: AWSLambdaBasicExecutionRole would allow creating log
 * groups and writing to any of them.
 */
import * as iam from 'aws-cdk-lib/aws-iam'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type { Construct } from 'constructs'
import type { EcrRepositoryAccess } from './ecr-repositories.ts'

// The store reads with GetItem and Query and writes with conditional PutItem and DeleteItem only.
export const TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query']

// What the OCI distribution API needs on ECR, per operation:
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html
// tags/list (the sweep's discovery of unannounced versions) is ecr:ListImages.
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:ListImages']
export const ECR_PUSH_ACTIONS = [...ECR_PULL_ACTIONS, 'ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart']

export interface FunctionRoleProps {
  logGroupArn: string
  tableArn: string
  secretArn: string
  ecr: EcrRepositoryAccess
}

export function createFunctionRole(scope: Construct, id: string, props: FunctionRoleProps): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'manifest-hook function: its table, its secret, the configured ECR repositories',
  })
  role.addToPolicy(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [props.logGroupArn]))
  role.addToPolicy(allow(TABLE_ACTIONS, [props.tableArn]))
  role.addToPolicy(allow(['secretsmanager:GetSecretValue'], [props.secretArn]))
  const { pull, push } = props.ecr
  if (pull.length + push.length > 0) {
    // GetAuthorizationToken has no resource-level permissions: https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_service-with-iam.html
    role.addToPolicy(allow(['ecr:GetAuthorizationToken'], ['*']))
  }
  if (pull.length > 0) role.addToPolicy(allow(ECR_PULL_ACTIONS, pull))
  if (push.length > 0) role.addToPolicy(allow(ECR_PUSH_ACTIONS, push))
  return role
}

/**
 * Work after a webhook's 202 is handed on by invoking the function asynchronously. The statement
 * is its own policy: in the role's default policy it would reference the function, which
 * depends on that policy (a CloudFormation cycle).
 */
export function grantSelfInvoke(fn: lambda.Function, role: iam.Role): iam.Policy {
  return new iam.Policy(fn, 'SelfInvoke', { roles: [role], statements: [allow(['lambda:InvokeFunction'], [fn.functionArn])] })
}

function allow(actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources })
}
