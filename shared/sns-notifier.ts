// In AWS the operator subscribes to the alert topic; one publish reaches every subscriber.
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { HealthNotifier } from "./health-alerts.js";

export function snsNotifier(client: SNSClient, topicArn: string): HealthNotifier {
  return {
    notify: async (subject, text) => {
      // SNS subjects: ASCII, no line breaks, at most 100 characters.
      const safeSubject = subject.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
      await client.send(new PublishCommand({ TopicArn: topicArn, Subject: safeSubject, Message: text }));
    },
  };
}
