export class InvalidTimeZoneError extends Error {
  override name = "InvalidTimeZoneError";
}

/** A formatter for `2024-03-05 14:07 UTC` in the given IANA zone (UTC by default). */
export function timeFormatter(timeZone = "UTC"): (date: Date) => string {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
  } catch (err) {
    throw new InvalidTimeZoneError(`unknown time zone "${timeZone}"`, { cause: err });
  }
  return (date) => {
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(date)) parts[p.type] = p.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
  };
}
