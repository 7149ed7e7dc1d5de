package incident

import (
	"strconv"
	"time"
)

// SeriousCategories are the kinds of serious incident under the EU AI Act
// (Art. 3(49)), each with the number of days Art. 73 allows at most for
// reporting it to the market surveillance authority, counted from when the
// organisation became aware of it.
var SeriousCategories = []Category{
	{Option{"death", "Death of a person", "the incident led, or may have led, to someone's death"}, 10},
	{Option{"widespread_infringement", "Widespread infringement", "an infringement affecting many people across Member States"}, 2},
	{Option{"critical_infrastructure", "Serious and irreversible disruption of critical infrastructure", "the management or operation of critical infrastructure was seriously and irreversibly disrupted"}, 2},
	{Option{"health", "Serious harm to health", "serious harm to a person's health"}, 15},
	{Option{"fundamental_rights", "Infringement of fundamental rights obligations", "obligations under Union law protecting fundamental rights were infringed"}, 15},
	{Option{"property_environment", "Serious harm to property or the environment", "serious harm to property or the environment"}, 15},
}

// Category is a kind of serious incident with its Art. 73 reporting limit.
type Category struct {
	Option
	// Days is the most days Art. 73 allows for the report.
	Days int
}

// categoryOptions lists the serious categories as options.
func categoryOptions() []Option {
	out := make([]Option, len(SeriousCategories))
	for i, c := range SeriousCategories {
		out[i] = c.Option
	}
	return out
}

// CategoryLabel names a serious category for people.
func CategoryLabel(value string) string { return Label(categoryOptions(), value) }

// Bases of a notification deadline.
const (
	BasisArt73   = "art73"   // EU AI Act Art. 73, from the serious category
	BasisGDPR33  = "gdpr33"  // GDPR Art. 33: 72 hours
	BasisEntered = "entered" // entered by hand
)

// gdprHours is how long GDPR Art. 33 allows for notifying the data protection authority.
const gdprHours = 72

// Art73Deadline is when the report of a serious incident of the category is
// due at the latest, given when the organisation became aware of it; false
// for an unknown category.
func Art73Deadline(category string, awareAt time.Time) (time.Time, bool) {
	for _, c := range SeriousCategories {
		if c.Value == category {
			return awareAt.UTC().AddDate(0, 0, c.Days), true
		}
	}
	return time.Time{}, false
}

// GDPRDeadline is when a personal data breach must be notified to the data protection authority at the latest.
func GDPRDeadline(awareAt time.Time) time.Time { return awareAt.UTC().Add(gdprHours * time.Hour) }

// Countdown says in words how long is left until due, or by how much it is overdue, at now.
func Countdown(now, due time.Time) string {
	d := due.Sub(now)
	if d < 0 {
		return "overdue by " + span(-d)
	}
	return span(d) + " left"
}

// span writes a duration in days and hours, or hours and minutes under a day.
func span(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	minutes := int(d % time.Hour / time.Minute)
	switch {
	case days > 0 && hours > 0:
		return count(days, "day") + " " + count(hours, "hour")
	case days > 0:
		return count(days, "day")
	case hours > 0 && minutes > 0:
		return count(hours, "hour") + " " + count(minutes, "minute")
	case hours > 0:
		return count(hours, "hour")
	default:
		return count(minutes, "minute")
	}
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
