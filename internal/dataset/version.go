package dataset

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/profile"
)

// Version is one numbered version of a data set. Its record never changes
// once written, except that a profile of its file can be attached or replaced.
type Version struct {
	ID          string `json:"id"`
	DatasetID   string `json:"dataset_id"`
	DatasetRef  string `json:"dataset_ref" doc:"The data set's reference, such as DS-3."`
	DatasetName string `json:"dataset_name"`
	Number      int    `json:"number" doc:"1, 2, … within the data set."`
	Key         string `json:"key" doc:"The data set's reference and the version's number, such as DS-3@2."`
	Label       string `json:"label" doc:"Free words that tell versions apart, such as 2024-06 extract."`
	Source      string `json:"source" doc:"Where the data comes from."`
	Acquisition string `json:"acquisition" enum:"collected,purchased,licensed,public,synthetic,derived,other" doc:"How the data was obtained (A.7.3)."`
	Licence     string `json:"licence" doc:"The licence or other legal basis for using the data."`
	// ContainsPersonalData is always stated, never assumed.
	ContainsPersonalData   bool     `json:"contains_personal_data"`
	PersonalDataCategories []string `json:"personal_data_categories" doc:"Categories of personal data held; empty when there is none."`
	ConsentBasis           string   `json:"consent_basis" enum:"consent,contract,legal_obligation,vital_interests,public_task,legitimate_interests,not_applicable" doc:"The lawful basis (Art. 6 GDPR) for processing the personal data."`
	Retention              string   `json:"retention" doc:"How long the data is kept, such as 5 years after the end of the contract."`
	DeleteBy               string   `json:"delete_by" doc:"The day by which the data is to be deleted, YYYY-MM-DD; empty when none is set."`
	Preparation            []string `json:"preparation" doc:"The preparation steps (A.7.6), in order."`
	// DerivedFrom are the versions this one was made from, in the order given.
	DerivedFrom []VersionLink `json:"derived_from"`
	// DerivedInto are the versions made from this one; filled when one version is read.
	DerivedInto   []VersionLink  `json:"derived_into"`
	CreatedBy     string         `json:"created_by"`
	CreatedByName string         `json:"created_by_name"`
	CreatedAt     time.Time      `json:"created_at"`
	Profile       *StoredProfile `json:"profile,omitempty" doc:"The data-quality profile of the version's file; absent until one is uploaded."`
}

// VersionLink names another data set version.
type VersionLink struct {
	ID    string `json:"id"`
	Key   string `json:"key"`
	Name  string `json:"name" doc:"The data set's name."`
	Label string `json:"label"`
}

// ProfileSummary are the headline figures of a stored profile.
type ProfileSummary struct {
	FileName        string    `json:"file_name"`
	FileSize        int64     `json:"file_size"`
	SHA256          string    `json:"sha256" doc:"SHA-256 of the profiled file, in hex."`
	Rows            int64     `json:"rows"`
	Columns         int       `json:"columns"`
	DuplicateRows   int64     `json:"duplicate_rows" doc:"Extra copies of rows seen before, as pandas' duplicated().sum() counts them."`
	RowsWithMissing int64     `json:"rows_with_missing"`
	ProfiledAt      time.Time `json:"profiled_at"`
}

// StoredProfile is the profile of a version's file with how it was made.
type StoredProfile struct {
	ProfileSummary
	Options        ProfileOptions  `json:"options" doc:"How the file was read and what was computed."`
	ProfiledBy     string          `json:"profiled_by"`
	ProfiledByName string          `json:"profiled_by_name"`
	Result         *profile.Result `json:"result,omitempty" doc:"The whole profile; left out of lists."`
}

// VersionRequest records a new version of a data set. Source, acquisition,
// licence and whether it holds personal data are required; a version with
// personal data names its categories, its lawful basis and its retention.
type VersionRequest struct {
	Label                  string   `json:"label,omitempty" maxLength:"200" doc:"Free words that tell versions apart, such as 2024-06 extract."`
	Source                 string   `json:"source" maxLength:"2000" doc:"Where the data comes from (required)."`
	Acquisition            string   `json:"acquisition" doc:"How the data was obtained (A.7.3): collected, purchased, licensed, public, synthetic, derived or other (required)."`
	Licence                string   `json:"licence" maxLength:"2000" doc:"The licence or other legal basis for using the data (required)."`
	ContainsPersonalData   *bool    `json:"contains_personal_data" doc:"Whether the data holds personal data; required, never assumed."`
	PersonalDataCategories []string `json:"personal_data_categories,omitempty" maxItems:"50" doc:"Categories of personal data held, such as contact details or health; at least one when there is personal data, none otherwise."`
	ConsentBasis           string   `json:"consent_basis,omitempty" doc:"The lawful basis of Art. 6 GDPR: consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests; not_applicable (the default) without personal data."`
	Retention              string   `json:"retention,omitempty" maxLength:"2000" doc:"How long the data is kept; required with personal data."`
	DeleteBy               string   `json:"delete_by,omitempty" doc:"The day by which the data is to be deleted, YYYY-MM-DD."`
	Preparation            []string `json:"preparation,omitempty" maxItems:"50" doc:"The preparation steps (A.7.6), in order, each in words."`
	DerivedFrom            []string `json:"derived_from,omitempty" maxItems:"50" doc:"The versions this one was made from, by key (DS-3@2) or id; at least one for derived data."`
}

// DateLayout is how delete-by dates are written.
const DateLayout = "2006-01-02"

// fromRequest fills a version from a request, checking every field but the
// versions it was derived from; problems are recorded in p.
func fromRequest(r VersionRequest, p *aims.Problems) *Version {
	v := &Version{Label: r.Label, Source: r.Source, Acquisition: strings.TrimSpace(r.Acquisition), Licence: r.Licence,
		ConsentBasis: strings.TrimSpace(r.ConsentBasis), Retention: r.Retention, DeleteBy: strings.TrimSpace(r.DeleteBy)}
	text(p, "label", &v.Label, false, maxItem)
	text(p, "source", &v.Source, true, maxText)
	text(p, "licence", &v.Licence, true, maxText)
	text(p, "retention", &v.Retention, false, maxText)
	if !allowed(Acquisitions, v.Acquisition) {
		p.Add("acquisition", "must be one of %s", values(Acquisitions))
	}
	v.PersonalDataCategories = items(p, "personal_data_categories", r.PersonalDataCategories, maxItem, maxListItems)
	switch {
	case r.ContainsPersonalData == nil:
		p.Add("contains_personal_data", "is required: say whether the data holds personal data")
	case *r.ContainsPersonalData:
		v.ContainsPersonalData = true
		if len(v.PersonalDataCategories) == 0 && !p.Has("personal_data_categories") {
			p.Add("personal_data_categories", "must name at least one category of personal data")
		}
		if v.ConsentBasis == "" || v.ConsentBasis == "not_applicable" {
			p.Add("consent_basis", "must give the lawful basis for processing the personal data")
		} else if !allowed(ConsentBases, v.ConsentBasis) {
			p.Add("consent_basis", "must be one of %s", values(ConsentBases))
		}
		if v.Retention == "" && !p.Has("retention") {
			p.Add("retention", "must say how long personal data is kept")
		}
	default:
		if len(v.PersonalDataCategories) > 0 && !p.Has("personal_data_categories") {
			p.Add("personal_data_categories", "must be empty when the data holds no personal data")
		}
		if v.ConsentBasis == "" {
			v.ConsentBasis = "not_applicable"
		} else if v.ConsentBasis != "not_applicable" {
			p.Add("consent_basis", "must be not_applicable when the data holds no personal data")
		}
	}
	if v.DeleteBy != "" {
		if _, err := time.Parse(DateLayout, v.DeleteBy); err != nil {
			p.Add("delete_by", "must be a date written YYYY-MM-DD, such as 2031-12-31")
		}
	}
	v.Preparation = []string{}
	for _, s := range r.Preparation {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if len([]rune(s)) > maxStep && !p.Has("preparation") {
			p.Add("preparation", "must each be at most %d characters", maxStep)
		}
		if strings.ContainsRune(s, 0) && !p.Has("preparation") {
			p.Add("preparation", "must not contain NUL characters")
		}
		v.Preparation = append(v.Preparation, s)
	}
	if len(v.Preparation) > maxListItems && !p.Has("preparation") {
		p.Add("preparation", "must list at most %d steps", maxListItems)
	}
	return v
}

// versionKey is the key of version number n of the data set ref.
func versionKey(ref string, n int) string { return ref + "@" + strconv.Itoa(n) }

// parseKey splits a key such as ds-3@2 into the reference DS-3 and the number 2.
func parseKey(key string) (ref string, n int, ok bool) {
	ref, num, found := strings.Cut(strings.TrimSpace(key), "@")
	if !found {
		return "", 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 1 {
		return "", 0, false
	}
	ref = strings.ToUpper(strings.TrimSpace(ref))
	if !strings.HasPrefix(ref, refPrefix+"-") {
		return "", 0, false
	}
	return ref, n, true
}

// auditVersion is what the audit log records of a new version.
type auditVersion struct {
	Key                    string   `json:"key"`
	Label                  string   `json:"label"`
	Source                 string   `json:"source"`
	Acquisition            string   `json:"acquisition"`
	Licence                string   `json:"licence"`
	ContainsPersonalData   bool     `json:"contains_personal_data"`
	PersonalDataCategories []string `json:"personal_data_categories"`
	ConsentBasis           string   `json:"consent_basis"`
	Retention              string   `json:"retention"`
	DeleteBy               string   `json:"delete_by"`
	Preparation            []string `json:"preparation"`
	DerivedFrom            []string `json:"derived_from"`
}

func auditOfVersion(v *Version) auditVersion {
	parents := make([]string, len(v.DerivedFrom))
	for i, p := range v.DerivedFrom {
		parents[i] = p.Key
	}
	return auditVersion{Key: v.Key, Label: v.Label, Source: v.Source, Acquisition: v.Acquisition, Licence: v.Licence,
		ContainsPersonalData: v.ContainsPersonalData, PersonalDataCategories: v.PersonalDataCategories,
		ConsentBasis: v.ConsentBasis, Retention: v.Retention, DeleteBy: v.DeleteBy, Preparation: v.Preparation,
		DerivedFrom: parents}
}

// String is the version's key and label, for people.
func (l VersionLink) String() string {
	if l.Label == "" {
		return fmt.Sprintf("%s %s", l.Key, l.Name)
	}
	return fmt.Sprintf("%s %s (%s)", l.Key, l.Name, l.Label)
}
