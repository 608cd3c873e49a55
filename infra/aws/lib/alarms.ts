/**
 * Two alarms that mean "look at the logs": the function threw or timed out, and work is sitting
 * in the failed-work queue. Both treat missing data as OK, since an idle function reports nothing.
 */
import { Duration } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as sns from 'aws-cdk-lib/aws-sns'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'

export interface AlarmsProps {
  fn: lambda.Function
  failedWork: sqs.Queue
  /** SNS topic to notify (e.g. one with an e-mail subscription). */
  topicArn?: string
}

export function createAlarms(scope: Construct, props: AlarmsProps): cloudwatch.Alarm[] {
  const period = Duration.minutes(5)
  const common = {
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }
  const alarms = [
    new cloudwatch.Alarm(scope, 'HandlerErrors', {
      ...common,
      alarmDescription: 'manifest-hook: an invocation failed (uncaught error or timeout); see the log group',
      metric: props.fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
    }),
    new cloudwatch.Alarm(scope, 'FailedWorkVisible', {
      ...common,
      alarmDescription: 'manifest-hook: work failed every retry and waits in the failed-work queue',
      metric: props.failedWork.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
    }),
  ]
  if (props.topicArn !== undefined) {
    const action = new actions.SnsAction(sns.Topic.fromTopicArn(scope, 'AlarmTopic', props.topicArn))
    for (const alarm of alarms) alarm.addAlarmAction(action)
  }
  return alarms
}
