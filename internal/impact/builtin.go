package impact

// Keys of the built-in templates.
const (
	KeyISO42005 = "iso-42005"
	KeyEUFRIA   = "eu-fria"
)

// builtinVersion is one version of a built-in template. A built-in template
// is never edited in place: a change adds a version, so that assessments
// keep the questions they were started from.
type builtinVersion struct {
	Name, Description string
	Sections          []Section
}

// builtins are the templates aims ships with, by key, each as its versions
// in order (version 1 first). Their words are aims' own; clause and article
// numbers are facts.
var builtins = []struct {
	Key      string
	Versions []builtinVersion
}{
	{KeyISO42005, []builtinVersion{iso42005v1}},
	{KeyEUFRIA, []builtinVersion{euFRIAv1}},
}

var (
	yesNoUnknown = []Choice{{"yes", "Yes"}, {"no", "No"}, {"unknown", "Not yet known"}}
	significance = []string{"Negligible", "Limited", "Significant", "Severe"}
)

// iso42005v1 follows the content of an impact assessment record in
// ISO/IEC 42005:2025 clause 6, with the points ISO/IEC 42001 A.5.2–A.5.5
// add: foreseeable misuse, failures, vulnerable groups, the human role.
var iso42005v1 = builtinVersion{
	Name: "ISO/IEC 42005 elements",
	Description: "The elements ISO/IEC 42005 (clause 6) expects an AI system impact assessment to record, " +
		"with the points ISO/IEC 42001 A.5 adds. Suits any AI system, before deployment, periodically and after significant change.",
	Sections: []Section{
		{ID: "scope", Ref: "6.2", Title: "Scope and trigger", Questions: []Question{
			{ID: "scope", Ref: "6.2", Type: TypeText, Required: true,
				Text: "What does this assessment cover: which system, which of its uses and which stages of its life cycle?"},
			{ID: "trigger", Ref: "5.4", Type: TypeChoice, Required: true, Text: "Why is the assessment done now?",
				Options: []Choice{{"new_system", "A new AI system, before it is deployed"}, {"planned", "A planned, periodic review"},
					{"significant_change", "A significant change to the system or its use"}, {"concern", "An incident or a concern raised"}}},
		}},
		{ID: "system", Ref: "6.3", Title: "The AI system", Questions: []Question{
			{ID: "description", Ref: "6.3.1", Type: TypeText, Required: true, Text: "Describe the AI system in a few sentences."},
			{ID: "functions", Ref: "6.3.2", Type: TypeText, Text: "What can it do, and where are the limits of what it does well?"},
			{ID: "purpose", Ref: "6.3.3", Type: TypeText, Required: true, Text: "What is it for: which outcome should it bring, and for whom?"},
			{ID: "intended_uses", Ref: "6.3.4", Type: TypeText, Required: true, Text: "How, where and by whom is it meant to be used?"},
			{ID: "misuse", Ref: "6.3.5", Type: TypeText, Required: true,
				Text: "How could it be used other than intended, including misuse that can reasonably be foreseen?"},
			{ID: "automation", Ref: "A.5.2", Type: TypeScale, Text: "How far does the system act on its own?",
				Scale: []string{"It only informs a person", "It recommends; a person decides", "It decides; a person can override", "It decides without routine human involvement"}},
		}},
		{ID: "data", Ref: "6.4", Title: "Data", Questions: []Question{
			{ID: "data_sources", Ref: "6.4", Type: TypeText, Required: true,
				Text: "Which data does the system learn from and work on, and where does that data come from?"},
			{ID: "data_quality", Ref: "6.4", Type: TypeText,
				Text: "What is known of the data's quality: how representative it is of the people concerned, its gaps and its biases?"},
			{ID: "personal_data", Ref: "A.5.2", Type: TypeChoice, Required: true, Text: "Does the system process personal data?",
				Options: []Choice{{"none", "No personal data"}, {"personal", "Personal data"},
					{"special", "Special categories, such as health, ethnic origin or biometric data"}}},
		}},
		{ID: "model", Ref: "6.5", Title: "Algorithms and models", Questions: []Question{
			{ID: "model", Ref: "6.5", Type: TypeText, Text: "Which kinds of algorithm or model does it use, and who built or supplied them?"},
		}},
		{ID: "deployment", Ref: "6.6", Title: "Deployment environment", Questions: []Question{
			{ID: "environment", Ref: "6.6", Type: TypeText, Required: true, Text: "Where does the system run, and in what setting do people use it?"},
			{ID: "jurisdictions", Ref: "6.6", Type: TypeText, Text: "In which countries or jurisdictions is it used, or are its outputs relied on?"},
		}},
		{ID: "parties", Ref: "6.7", Title: "Who is affected", Questions: []Question{
			{ID: "stakeholders", Ref: "6.7", Type: TypeText, Required: true,
				Text: "Who is affected, directly or indirectly: which individuals, groups and parts of society?"},
			{ID: "vulnerable", Ref: "A.5.4", Type: TypeChoice, Required: true, Options: yesNoUnknown,
				Text: "Could children, older people, people with disabilities, workers or other groups in a weak position be affected?"},
		}},
		{ID: "impacts", Ref: "6.8", Title: "Impacts", Questions: []Question{
			{ID: "impacts", Ref: "6.8", Type: TypeImpacts, Required: true,
				Text: "List the actual and reasonably foreseeable harms: whom each reaches, and how severe, likely, reversible and widespread it is."},
			{ID: "benefits", Ref: "6.8", Type: TypeText, Text: "What good does the system do, and for whom?"},
			{ID: "failures", Ref: "A.5.3", Type: TypeText, Text: "How can the system fail or err, and what happens to people when it does?"},
			{ID: "overall", Ref: "5.7", Type: TypeScale, Required: true, Scale: significance,
				Text: "Taken together, how significant are the system's impacts?"},
		}},
		{ID: "measures", Ref: "6.9", Title: "Measures", Questions: []Question{
			{ID: "measures", Ref: "6.9", Type: TypeText, Required: true,
				Text: "What is done to prevent or lessen the harms, and to make the most of the benefits?"},
			{ID: "oversight", Ref: "A.5.3", Type: TypeText, Required: true,
				Text: "How do people oversee the system, and how can they step in when it goes wrong?"},
			{ID: "disclosure", Ref: "5.10", Type: TypeChoice, Text: "Are the results shared with those affected or other interested parties?",
				Options: []Choice{{"published", "Published"}, {"on_request", "Shared on request"}, {"internal", "Kept internal"}}},
		}},
	},
}

// euFRIAv1 asks what Article 27(1) of Regulation (EU) 2024/1689 requires a
// fundamental rights impact assessment to describe, points (a) to (f),
// and the notification of Article 27(3) and the link to a data protection
// impact assessment of Article 27(4).
var euFRIAv1 = builtinVersion{
	Name: "EU AI Act Art. 27 FRIA",
	Description: "The fundamental rights impact assessment that Article 27 of the EU AI Act asks of public bodies and certain " +
		"other deployers before they first use a high-risk AI system.",
	Sections: []Section{
		{ID: "process", Ref: "Art. 27(1)(a)", Title: "Your process and the system's part in it", Questions: []Question{
			{ID: "process", Ref: "Art. 27(1)(a)", Type: TypeText, Required: true,
				Text: "Describe the process of yours in which the high-risk AI system is used, and what the system does in it, in line with its intended purpose."},
			{ID: "decisions", Ref: "Art. 27(1)(a)", Type: TypeText,
				Text: "Which decisions about people does its output feed into, and who takes them?"},
		}},
		{ID: "period", Ref: "Art. 27(1)(b)", Title: "Period and frequency of use", Questions: []Question{
			{ID: "period", Ref: "Art. 27(1)(b)", Type: TypeText, Required: true,
				Text: "Over what period will the system be used: from when, until when or until which review?"},
			{ID: "frequency", Ref: "Art. 27(1)(b)", Type: TypeChoice, Required: true, Text: "How often is it used?",
				Options: []Choice{{"continuous", "Continuously"}, {"daily", "Every day"}, {"weekly", "Every week"},
					{"monthly", "Monthly or less often"}, {"one_off", "Once, or for a single campaign"}}},
			{ID: "volume", Ref: "Art. 27(1)(b)", Type: TypeText, Text: "Roughly how many people does it concern in a typical month?"},
		}},
		{ID: "persons", Ref: "Art. 27(1)(c)", Title: "Persons and groups affected", Questions: []Question{
			{ID: "categories", Ref: "Art. 27(1)(c)", Type: TypeText, Required: true,
				Text: "Which categories of people and which groups are likely to be affected where you use it?"},
			{ID: "vulnerable", Ref: "Art. 27(1)(c)", Type: TypeChoice, Required: true, Options: yesNoUnknown,
				Text: "Are people in a vulnerable position among them, such as children, persons with disabilities or people who depend on the outcome?"},
		}},
		{ID: "harms", Ref: "Art. 27(1)(d)", Title: "Specific risks of harm", Questions: []Question{
			{ID: "harms", Ref: "Art. 27(1)(d)", Type: TypeImpacts, Required: true,
				Text: "List the specific risks of harm to the people and groups above, in view of what the provider's instructions for use (Art. 13) say."},
			{ID: "rights", Ref: "Art. 27(1)(d)", Type: TypeText,
				Text: "Which fundamental rights are at stake, for example non-discrimination, privacy and data protection, or an effective remedy?"},
			{ID: "provider_info", Ref: "Art. 13", Type: TypeChoice, Text: "Have you received and read the provider's instructions for use?",
				Options: []Choice{{"yes", "Yes"}, {"partly", "In part"}, {"no", "No"}}},
		}},
		{ID: "oversight", Ref: "Art. 27(1)(e)", Title: "Human oversight", Questions: []Question{
			{ID: "oversight", Ref: "Art. 27(1)(e)", Type: TypeText, Required: true,
				Text: "How is human oversight carried out as the instructions for use describe: by whom, with what training and what authority?"},
			{ID: "override", Ref: "Art. 14", Type: TypeChoice, Required: true,
				Text:    "Can the people who oversee the system set its output aside, override it or stop it?",
				Options: []Choice{{"always", "Always"}, {"sometimes", "In some cases"}, {"never", "No"}}},
			{ID: "oversight_strength", Ref: "Art. 27(1)(e)", Type: TypeScale, Text: "How strong is the oversight in practice?",
				Scale: []string{"Nominal", "Partial", "Effective", "Strong"}},
		}},
		{ID: "measures", Ref: "Art. 27(1)(f)", Title: "If the risks materialise", Questions: []Question{
			{ID: "measures", Ref: "Art. 27(1)(f)", Type: TypeText, Required: true,
				Text: "What will you do when a risk materialises: stop, correct, inform and put right?"},
			{ID: "governance", Ref: "Art. 27(1)(f)", Type: TypeText, Required: true,
				Text: "Which internal governance arrangements apply: who decides, who is told, how is it escalated?"},
			{ID: "complaints", Ref: "Art. 27(1)(f)", Type: TypeText, Required: true,
				Text: "How can affected people complain or seek redress, and how are their complaints dealt with?"},
		}},
		{ID: "notification", Ref: "Art. 27(3)-(4)", Title: "Notification and related assessments", Questions: []Question{
			{ID: "notified", Ref: "Art. 27(3)", Type: TypeChoice, Required: true,
				Text:    "Have the results been notified to the market surveillance authority?",
				Options: []Choice{{"notified", "Notified"}, {"pending", "Not yet"}, {"exempt", "Exempt under Art. 46(1)"}}},
			{ID: "dpia", Ref: "Art. 27(4)", Type: TypeChoice,
				Text:    "Does a data protection impact assessment (GDPR Art. 35) already cover part of this?",
				Options: []Choice{{"yes", "Yes; this assessment complements it"}, {"no", "No"}, {"not_needed", "Not needed: no personal data"}}},
		}},
	},
}
