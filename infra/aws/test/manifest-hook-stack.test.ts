// Assertions on the synthesized template. Logical IDs are spelled out on purpose: a changed ID
// makes CloudFormation replace the resource (the table would be orphaned with the state in it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDeployOptions } from '../lib/deploy-options.ts'
import { ManifestHookStack } from '../lib/manifest-hook-stack.ts'

const TABLE = 'State1C20CC9A'
const SECRET = 'CredentialsF8F243AA'
const QUEUE = 'FailedWork46CEEE4F'
const LOGS = 'Logs6819BB44'
const ROLE = 'Role1ABCC5F0'
const DEFAULT_POLICY = 'RoleDefaultPolicy5FFB7DAB'
const FUNCTION = 'Handler886CB40B'
const ECR_RULE = 'EcrPushesF3472063'
const SWEEP_RULE = 'Sweep576358E8'
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const CONFIG = {
  sources: { github: { secret: { secretsManager: { id: 'manifest-hook', key: 'githubWebhook' } } } },
  images: [
    { target: [`${ECR}/org/app`, 'ghcr.io/org/app'], from: `${ECR}/org/app-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64'] },
    { target: 'ghcr.io/org/tool', from: 'ghcr.io/org/tool:{version}-{arch}', platforms: ['linux/amd64'] },
  ],
}

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] })
const allow = (Action: string | string[], Resource: unknown) => ({ Action, Effect: 'Allow', Resource })

let dir: string
let plain: Template
let configured: Template

/** Synthesizes with the feature flags of cdk.json, as `cdk synth` does (validation is CI's `cdk synth` step). */
function synth(context: Record<string, unknown>): Template {
  const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '../cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  const app = new App({ context: cdkJson.context, builtinCloudFormationValidation: false })
  const stack = new ManifestHookStack(app, 'ManifestHook', { options: parseDeployOptions({ lambdaAsset: 'asset', ...context }, {}, dir) })
  return Template.fromStack(stack)
}

function resources(template: Template, type: string): Record<string, unknown>[] {
  return Object.values(template.findResources(type))
}

function resource(template: Template, id: string): unknown {
  return template.toJSON()['Resources'][id]
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'manifest-hook-stack-'))
  mkdirSync(join(dir, 'asset'))
  writeFileSync(join(dir, 'asset/index.mjs'), 'export const handler = async () => {}\n')
  writeFileSync(join(dir, 'config.json'), JSON.stringify(CONFIG))
  plain = synth({})
  configured = synth({ config: 'config.json', existingSecret: 'true', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('ManifestHookStack', () => {
  it('creates exactly these resources', () => {
    const types = (template: Template) => Object.values(template.toJSON()['Resources'] as Record<string, { Type: string }>).map((r) => r.Type).sort()
    const common = [
      'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Alarm',
      'AWS::DynamoDB::Table',
      'AWS::Events::Rule', 'AWS::Events::Rule',
      'AWS::IAM::Policy', 'AWS::IAM::Policy', 'AWS::IAM::Role',
      'AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Function',
      'AWS::Lambda::Permission', 'AWS::Lambda::Permission', 'AWS::Lambda::Permission', 'AWS::Lambda::Permission',
      'AWS::Lambda::Url',
      'AWS::Logs::LogGroup',
      'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy',
    ]
    expect(types(plain)).toEqual([...common, 'AWS::SecretsManager::Secret'].sort())
    // existingSecret: the secret is referenced, not created.
    expect(types(configured)).toEqual(common)
  })

  it('the table: pk/sk strings, on demand, TTL on `ttl`, point-in-time recovery, retained', () => {
    expect(resource(plain, TABLE)).toEqual({
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    })
  })

  it('the secret: created as {} and retained, or referenced by name', () => {
    expect(resource(plain, SECRET)).toEqual({
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Description: 'manifest-hook registry and webhook credentials (a JSON object; the config names its keys)',
        Name: 'manifest-hook',
        SecretString: '{}',
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    })
  })

  it('the function: Node 22 on arm64, 512 MB, 5 minutes, its role, log group and environment', () => {
    const expected = (variables: Record<string, unknown>) => ({
      Type: 'AWS::Lambda::Function',
      Properties: {
        Architectures: ['arm64'],
        Code: { S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) },
        Description: 'manifest-hook: registry push webhooks in, multi-arch image index out',
        Environment: { Variables: { MANIFEST_HOOK_TABLE: { Ref: TABLE }, MANIFEST_HOOK_SECRET_ID: 'manifest-hook', ...variables } },
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: LOGS } },
        MemorySize: 512,
        RecursiveLoop: 'Terminate',
        Role: getAtt(ROLE),
        Runtime: 'nodejs22.x',
        Timeout: 300,
      },
      DependsOn: [DEFAULT_POLICY, ROLE],
    })
    expect(resource(plain, FUNCTION)).toEqual(expected({}))
    expect(resource(configured, FUNCTION)).toEqual(expected({ MANIFEST_HOOK_CONFIG: JSON.stringify(CONFIG) }))
    expect(resource(plain, LOGS)).toEqual({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
      UpdateReplacePolicy: 'Delete',
      DeletionPolicy: 'Delete',
    })
  })

  it('the role: assumed by Lambda only, no managed policies', () => {
    expect(resources(plain, 'AWS::IAM::Role')).toEqual([{
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
          Version: '2012-10-17',
        },
        Description: 'manifest-hook function: its table, its secret, the configured ECR repositories',
      },
    }])
  })

  // The role's two policies, in full: the default one (statements in the order added) and the
  // self-invocation one.
  const policies = (statements: unknown[]) => [
    {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyDocument: { Statement: statements, Version: '2012-10-17' }, PolicyName: DEFAULT_POLICY, Roles: [{ Ref: ROLE }] },
    },
    {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyDocument: { Statement: [allow('lambda:InvokeFunction', getAtt(FUNCTION))], Version: '2012-10-17' },
        PolicyName: 'HandlerSelfInvokeF47D80FC',
        Roles: [{ Ref: ROLE }],
      },
    },
  ]
  const writeLogs = allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(LOGS))
  const useTable = allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], getAtt(TABLE))
  // Added by the on-failure destination: Lambda sends the record with the function's role.
  const sendFailedWork = allow(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], getAtt(QUEUE))

  it('IAM without ECR in the config: logs, four table actions, the secret, the failed-work queue, itself', () => {
    expect(resources(plain, 'AWS::IAM::Policy')).toEqual(policies([
      writeLogs,
      useTable,
      allow('secretsmanager:GetSecretValue', { Ref: SECRET }),
      sendFailedWork,
    ]))
  })

  it('IAM with ECR repositories in the config: the token on *, pull on sources, push on targets, a referenced secret', () => {
    expect(resources(configured, 'AWS::IAM::Policy')).toEqual(policies([
      writeLogs,
      useTable,
      allow('secretsmanager:GetSecretValue', {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:manifest-hook-??????']],
      }),
      allow('ecr:GetAuthorizationToken', '*'),
      allow(
        ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:ListImages'],
        'arn:aws:ecr:eu-west-1:123456789012:repository/org/app-*',
      ),
      allow(
        ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:ListImages', 'ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
        'arn:aws:ecr:eu-west-1:123456789012:repository/org/app',
      ),
      sendFailedWork,
    ]))
  })

  it('the Function URL: no IAM auth (the app authenticates webhooks), invocable through the URL only by anyone', () => {
    expect(resources(plain, 'AWS::Lambda::Url')).toEqual([{ Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE', TargetFunctionArn: getAtt(FUNCTION) } }])
    const permission = (Properties: Record<string, unknown>) => ({ Type: 'AWS::Lambda::Permission', Properties: { FunctionName: getAtt(FUNCTION), ...Properties } })
    expect(resources(plain, 'AWS::Lambda::Permission')).toEqual([
      permission({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE', Principal: '*' }),
      permission({ Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true, Principal: '*' }),
      permission({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: getAtt(ECR_RULE) }),
      permission({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: getAtt(SWEEP_RULE) }),
    ])
    expect(plain.toJSON()['Outputs']['WebhookBaseUrl']).toEqual({
      Description: 'Function URL: point each registry webhook at <this>webhooks/<source>',
      Value: getAtt('HandlerFunctionUrl003AF664', 'FunctionUrl'),
    })
  })

  it('the ECR rule has exactly the pattern of the issue; the sweep runs every 15 minutes; both deliver to the function with the queue as DLQ', () => {
    const target = { Arn: getAtt(FUNCTION), DeadLetterConfig: { Arn: getAtt(QUEUE) }, Id: 'Target0' }
    expect(resource(plain, ECR_RULE)).toEqual({
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: 'ECR pushes to manifest-hook (trusted ingest; IAM authenticated the event)',
        EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] } },
        State: 'ENABLED',
        Targets: [target],
      },
    })
    expect(JSON.stringify(plain.toJSON()['Resources'][ECR_RULE].Properties.EventPattern)).toBe(
      '{"source":["aws.ecr"],"detail-type":["ECR Image Action"],"detail":{"action-type":["PUSH"],"result":["SUCCESS"]}}',
    )
    expect(resource(plain, SWEEP_RULE)).toEqual({
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: 'manifest-hook periodic sweep: finishes versions whose webhooks were lost',
        ScheduleExpression: 'rate(15 minutes)',
        State: 'ENABLED',
        Targets: [target],
      },
    })
  })

  it('async invocations: two retries, one hour at most, then the on-failure record goes to the queue', () => {
    expect(resources(plain, 'AWS::Lambda::EventInvokeConfig')).toEqual([{
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        DestinationConfig: { OnFailure: { Destination: getAtt(QUEUE) } },
        FunctionName: { Ref: FUNCTION },
        MaximumEventAgeInSeconds: 3600,
        MaximumRetryAttempts: 2,
        Qualifier: '$LATEST',
      },
    }])
    expect(resource(plain, QUEUE)).toEqual({
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
      UpdateReplacePolicy: 'Delete',
      DeletionPolicy: 'Delete',
    })
    const sendFrom = (rule: string, sid: string) => ({
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': getAtt(rule) } },
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Resource: getAtt(QUEUE),
      Sid: sid,
    })
    expect(resources(plain, 'AWS::SQS::QueuePolicy')).toEqual([{
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        PolicyDocument: {
          Statement: [
            { Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: getAtt(QUEUE) },
            sendFrom(ECR_RULE, 'AllowEventRuleManifestHookEcrPushesB0468D94'),
            sendFrom(SWEEP_RULE, 'AllowEventRuleManifestHookSweepACC6DA53'),
          ],
          Version: '2012-10-17',
        },
        Queues: [{ Ref: QUEUE }],
      },
    }])
  })

  it('alarms on function errors and on visible failed work, notifying the topic when one is given', () => {
    const alarm = (description: string, metric: Record<string, unknown>, actions: Record<string, unknown>) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        ...actions,
        AlarmDescription: description,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        Period: 300,
        Threshold: 1,
        TreatMissingData: 'notBreaching',
        ...metric,
      },
    })
    const expected = (actions: Record<string, unknown>) => [
      alarm('manifest-hook: an invocation failed (uncaught error or timeout); see the log group', {
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: FUNCTION } }], MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'Sum',
      }, actions),
      alarm('manifest-hook: work failed every retry and waits in the failed-work queue', {
        Dimensions: [{ Name: 'QueueName', Value: getAtt(QUEUE, 'QueueName') }], MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Statistic: 'Maximum',
      }, actions),
    ]
    expect(resources(plain, 'AWS::CloudWatch::Alarm')).toEqual(expected({}))
    expect(resources(configured, 'AWS::CloudWatch::Alarm')).toEqual(expected({ AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:ops'] }))
  })
})
