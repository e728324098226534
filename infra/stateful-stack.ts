// Everything that holds data or hard-won state (verified identities, confirmed subscriptions):
// kept apart from the functions so a service redeploy or teardown never touches it.
import { Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from "aws-cdk-lib/aws-ses";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { removalPolicyFor, type StageSettings } from "./stages.js";

export interface StatefulStackProps extends StackProps {
  stage: StageSettings;
}

/** SES actions a digest sender needs; nothing else of SES is granted. */
export const SES_SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail"] as const;

export class StatefulStack extends Stack {
  /** Single table: pk/sk strings, `ttl` epoch seconds expires seen items. */
  readonly table: Table;
  readonly senderIdentity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** SES bounce/complaint/reject events, for the ses-events handler. */
  readonly sesEventsTopic: Topic;
  /** Operator alerts: CloudWatch alarms and the poller's feed-health messages. */
  readonly alertTopic: Topic;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { stage } = props;

    this.table = new Table(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: "ttl",
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !stage.destroyOnRemoval,
      removalPolicy: removalPolicyFor(stage),
    });

    this.configurationSet = new ConfigurationSet(this, "ConfigurationSet", {
      reputationMetrics: true,
      sendingEnabled: true,
      // SES's account-level suppression list then never retries a hard bounce or complaint.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    this.sesEventsTopic = new Topic(this, "SesEvents", {
      displayName: `newswatch ${stage.name} SES events`,
      enforceSSL: true,
    });
    // Also adds the topic policy letting this configuration set (only) publish.
    this.configurationSet.addEventDestination("BouncesAndComplaints", {
      destination: EventDestination.snsTopic(this.sesEventsTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT],
    });

    // Deploying sends a verification link to this address; sending waits until it is clicked.
    this.senderIdentity = new EmailIdentity(this, "Sender", {
      identity: Identity.email(stage.sender),
      configurationSet: this.configurationSet,
    });

    this.alertTopic = new Topic(this, "Alerts", {
      displayName: `newswatch ${stage.name} alerts`,
      enforceSSL: true,
    });
    for (const email of stage.alarmEmails) {
      this.alertTopic.addSubscription(new EmailSubscription(email));
    }
  }

  /** ARN of the configuration set; SES authorizes SendEmail against it as well as the identity. */
  get configurationSetArn(): string {
    return this.formatArn({
      service: "ses",
      resource: "configuration-set",
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /** Lets `grantee` send mail from the sender identity through the configuration set, and nothing more. */
  grantSendEmail(grantee: IGrantable): Grant {
    return this.senderIdentity
      .grantSendEmail(grantee)
      .combine(
        Grant.addToPrincipal({ grantee, actions: [...SES_SEND_ACTIONS], resourceArns: [this.configurationSetArn] }),
      );
  }
}
