/**
 * manifest-hook on AWS: one Lambda function behind a Function URL (the webhooks), invoked also by
 * EventBridge (ECR pushes, the sweep schedule) and by itself (work after the 202), with its state
 * in DynamoDB and its credentials in Secrets Manager.
 */
import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'
import { createAlarms } from './alarms.ts'
import type { DeployOptions } from './deploy-options.ts'
import { createFunctionRole, grantSelfInvoke } from './function-role.ts'

/** The ECR push events that trigger ingest, exactly as the ECR docs' example rule. */
export const ECR_PUSH_PATTERN = {
  source: ['aws.ecr'],
  detailType: ['ECR Image Action'],
  detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
}

export interface ManifestHookStackProps extends StackProps {
  options: DeployOptions
}

export class ManifestHookStack extends Stack {
  constructor(scope: Construct, id: string, props: ManifestHookStackProps) {
    super(scope, id, props)
    const { options } = props

    // The state outlives the stack: deleting the stack must not lose which versions were published.
    const table = new dynamodb.Table(this, 'State', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    })

    // Created holding `{}` (the value is set once, at creation; later deploys leave it alone) so
    // one deploy works from zero; `-c existingSecret=true` references one made beforehand instead.
    const secret = options.createSecret
      ? new secretsmanager.Secret(this, 'Credentials', {
          secretName: options.secretName,
          description: 'manifest-hook registry and webhook credentials (a JSON object; the config names its keys)',
          secretStringValue: SecretValue.unsafePlainText('{}'),
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : secretsmanager.Secret.fromSecretNameV2(this, 'Credentials', options.secretName)

    // Work that failed every attempt, with the error: the Lambda on-failure record of async
    // invocations and the EventBridge events that could not be delivered.
    const failedWork = new sqs.Queue(this, 'FailedWork', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    })

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })

    const role = createFunctionRole(this, 'Role', {
      logGroupArn: logGroup.logGroupArn,
      tableArn: table.tableArn,
      // A secret referenced by name has an ARN without the random 6-character suffix that
      // Secrets Manager appends; `-??????` matches it: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
      secretArn: options.createSecret ? secret.secretArn : `${secret.secretArn}-??????`,
      ecr: options.ecr,
    })

    const fn = new lambda.Function(this, 'Handler', {
      description: 'manifest-hook: registry push webhooks in, multi-arch image index out',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(options.assetDir),
      handler: 'index.handler',
      // Memory also buys CPU (1,769 MB = one vCPU). The handler peaks near 128 MB; 512 MB gives a
      // cold start and index/digest work about four times the CPU of 128 MB at a cost that stays
      // in cents at this volume (README, "Deploying to AWS").
      memorySize: 512,
      // A webhook is answered within a second; a work invocation stops taking new items when its
      // remaining time runs low and hands the rest on, so this bounds one registry copy (a large
      // layer between registries), not a whole publish.
      timeout: Duration.minutes(5),
      role,
      logGroup,
      environment: {
        MANIFEST_HOOK_TABLE: table.tableName,
        MANIFEST_HOOK_SECRET_ID: options.secretName,
        ...(options.configJson === undefined ? {} : { MANIFEST_HOOK_CONFIG: options.configJson }),
        // No NODE_OPTIONS: the Lambda runtime already sizes the V8 heap from memorySize.
      },
      // Async invocations (hand-offs, EventBridge): two retries, then the on-failure record goes
      // to the queue. Work older than an hour is left to the sweep, which finds every unfinished
      // version in the table anyway.
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(failedWork),
      // Lambda stops a chain of self-invocations after 16 hops. The handler fans out (the sweep
      // starts a fresh chain every 15 minutes, one invocation hands on many items), so the
      // default stays: a runaway loop is cut off instead of billed.
      recursiveLoop: lambda.RecursiveLoop.TERMINATE,
    })
    grantSelfInvoke(fn, role)

    // The app authenticates every webhook itself (per-source secrets and signatures).
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE })

    const target = new targets.LambdaFunction(fn, { deadLetterQueue: failedWork })
    new events.Rule(this, 'EcrPushes', {
      description: 'ECR pushes to manifest-hook (trusted ingest; IAM authenticated the event)',
      eventPattern: ECR_PUSH_PATTERN,
      targets: [target],
    })
    new events.Rule(this, 'Sweep', {
      description: 'manifest-hook periodic sweep: finishes versions whose webhooks were lost',
      schedule: events.Schedule.rate(Duration.minutes(15)),
      targets: [target],
    })

    createAlarms(this, { fn, failedWork, ...(options.alarmTopicArn === undefined ? {} : { topicArn: options.alarmTopicArn }) })

    new CfnOutput(this, 'WebhookBaseUrl', { value: url.url, description: 'Function URL: point each registry webhook at <this>webhooks/<source>' })
    new CfnOutput(this, 'StateTableName', { value: table.tableName })
    new CfnOutput(this, 'SecretName', { value: options.secretName })
    new CfnOutput(this, 'FailedWorkQueueUrl', { value: failedWork.queueUrl })
    new CfnOutput(this, 'LogGroupName', { value: logGroup.logGroupName })
  }
}
