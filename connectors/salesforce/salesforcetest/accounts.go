package salesforcetest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// AccountFields is the describe of a developer org's Account, trimmed to
// one field of most types: with the compound BillingAddress, custom fields
// and nillable flags as Salesforce reports them.
func AccountFields() []Field {
	return []Field{
		{Name: "Id", Type: "id", Label: "Account ID"},
		{Name: "IsDeleted", Type: "boolean", Label: "Deleted"},
		{Name: "Name", Type: "string", Label: "Account Name"},
		{Name: "Type", Type: "picklist", Label: "Account Type", Nillable: true},
		{Name: "ParentId", Type: "reference", Label: "Parent Account ID", Nillable: true},
		{Name: "BillingStreet", Type: "textarea", Label: "Billing Street", Nillable: true},
		{Name: "BillingCity", Type: "string", Label: "Billing City", Nillable: true},
		{Name: "BillingState", Type: "string", Label: "Billing State/Province", Nillable: true},
		{Name: "BillingPostalCode", Type: "string", Label: "Billing Zip/Postal Code", Nillable: true},
		{Name: "BillingCountry", Type: "string", Label: "Billing Country", Nillable: true},
		{Name: "BillingAddress", Type: "address", Label: "Billing Address", Nillable: true},
		{Name: "Phone", Type: "phone", Label: "Account Phone", Nillable: true},
		{Name: "Website", Type: "url", Label: "Website", Nillable: true},
		{Name: "Industry", Type: "picklist", Label: "Industry", Nillable: true},
		{Name: "AnnualRevenue", Type: "currency", Label: "Annual Revenue", Nillable: true},
		{Name: "NumberOfEmployees", Type: "int", Label: "Employees", Nillable: true},
		{Name: "Rating", Type: "picklist", Label: "Account Rating", Nillable: true},
		{Name: "Description", Type: "textarea", Label: "Account Description", Nillable: true},
		{Name: "OwnerId", Type: "reference", Label: "Owner ID"},
		{Name: "CreatedDate", Type: "datetime", Label: "Created Date"},
		{Name: "LastModifiedDate", Type: "datetime", Label: "Last Modified Date"},
		{Name: "LastActivityDate", Type: "date", Label: "Last Activity", Nillable: true},
		{Name: "SLAExpirationDate__c", Type: "date", Label: "SLA Expiration Date", Nillable: true},
		{Name: "NumberofLocations__c", Type: "double", Label: "Number of Locations", Nillable: true},
		{Name: "Discount__c", Type: "percent", Label: "Discount", Nillable: true},
		{Name: "Active__c", Type: "picklist", Label: "Active", Nillable: true},
	}
}

var (
	nameHeads  = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Hooli", "Vandelay", "Pied Piper", "Massive Dynamic", "Gringotts", "Nakatomi", "Oceanic", "Dunder Mifflin", "Müller & Söhne", "Société Générale d'Essai"}
	nameTails  = []string{"Corp", "Inc.", "LLC", "Ltd", "Group", "Holdings", "GmbH", "Partners", "Industries", "Labs"}
	types      = []string{"Customer - Direct", "Customer - Channel", "Prospect", "Channel Partner / Reseller", "Installation Partner", "Technology Partner", "Other"}
	industries = []string{"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering", "Finance", "Healthcare", "Insurance", "Manufacturing", "Media", "Retail", "Technology", "Utilities"}
	ratings    = []string{"Hot", "Warm", "Cold"}
	places     = []struct{ city, state, zip, country string }{
		{"San Francisco", "CA", "94105", "USA"}, {"New York", "NY", "10001", "USA"}, {"Austin", "TX", "78701", "USA"},
		{"Chicago", "IL", "60601", "USA"}, {"Toronto", "ON", "M5H 2N2", "Canada"}, {"London", "", "EC1A 1BB", "United Kingdom"},
		{"München", "", "80331", "Germany"}, {"Paris", "", "75001", "France"}, {"Singapore", "", "018956", "Singapore"},
		{"Sydney", "NSW", "2000", "Australia"},
	}
	streets = []string{"Market St", "Main Street", "Broadway", "King St W", "High Street", "Rue de Rivoli", "Marienplatz", "Orchard Rd"}
	owners  = []string{"005Hu00000RVvdxIAD", "005Hu00000RVvdyIAD", "005Hu00000RVve2IAD", "005Hu00000RVve7IAD"}
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ID18 turns a 15-character Salesforce ID into its 18-character form: the
// three suffix letters encode which of the 15 are upper case.
func ID18(id15 string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	out := []byte(id15)
	for chunk := 0; chunk < 3; chunk++ {
		bits := 0
		for i := 0; i < 5; i++ {
			if c := id15[chunk*5+i]; c >= 'A' && c <= 'Z' {
				bits |= 1 << i
			}
		}
		out = append(out, alphabet[bits])
	}
	return string(out)
}

// AccountID is the n-th Account's 18-character ID.
func AccountID(n int) string {
	suffix := make([]byte, 5)
	for i := 4; i >= 0; i-- {
		suffix[i] = base62[n%62]
		n /= 62
	}
	return ID18("0015g00000" + string(suffix))
}

// SFDateTime formats t as the API writes datetimes.
func SFDateTime(t time.Time) string { return t.UTC().Format(sfDateTime) }

// Accounts makes n Accounts, the same for the same seed, last modified in
// [from, to): realistic values, with the nulls a real org has.
func Accounts(n int, seed uint64, from, to time.Time) []Record {
	rng := rand.New(rand.NewPCG(seed, seed^0x5f0))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	maybe := func(p float64, v any) any {
		if rng.Float64() < p {
			return nil
		}
		return v
	}
	span := to.Sub(from)
	out := make([]Record, n)
	for i := range out {
		modified := from.Add(time.Duration(rng.Int64N(int64(span))) / time.Millisecond * time.Millisecond)
		created := modified.Add(-time.Duration(rng.IntN(3*365*24)) * time.Hour)
		pl := places[rng.IntN(len(places))]
		var state any = pl.state
		if pl.state == "" {
			state = nil
		}
		name := fmt.Sprintf("%s %s", pick(nameHeads), pick(nameTails))
		if rng.IntN(4) == 0 {
			name = fmt.Sprintf("%s %s #%d", pick(nameHeads), pick(nameTails), i+1)
		}
		var parent any
		if i > 10 && rng.IntN(8) == 0 {
			parent = AccountID(rng.IntN(i))
		}
		var desc any
		switch rng.IntN(5) {
		case 0:
			desc = fmt.Sprintf("Key account since %d.\nRenewal owner: \"%s\".", created.Year(), pick([]string{"Ana", "Bo", "Chidi", "Dana"}))
		case 1:
			desc = "Tab\tseparated notes; see https://example.com/?a=1&b=2"
		}
		revenue := maybe(0.3, float64(rng.IntN(5_000_000_00))/100*float64(1+rng.IntN(20)))
		out[i] = Record{
			"Id":                   AccountID(i + 1),
			"IsDeleted":            false,
			"Name":                 name,
			"Type":                 maybe(0.1, pick(types)),
			"ParentId":             parent,
			"BillingStreet":        maybe(0.1, fmt.Sprintf("%d %s", 1+rng.IntN(2000), pick(streets))),
			"BillingCity":          maybe(0.05, pl.city),
			"BillingState":         state,
			"BillingPostalCode":    maybe(0.1, pl.zip),
			"BillingCountry":       maybe(0.05, pl.country),
			"Phone":                maybe(0.1, fmt.Sprintf("(%03d) %03d-%04d", 200+rng.IntN(800), rng.IntN(1000), rng.IntN(10000))),
			"Website":              maybe(0.25, fmt.Sprintf("www.example%d.com", i+1)),
			"Industry":             maybe(0.15, pick(industries)),
			"AnnualRevenue":        revenue,
			"NumberOfEmployees":    maybe(0.2, 1+rng.IntN(250_000)),
			"Rating":               maybe(0.4, pick(ratings)),
			"Description":          desc,
			"OwnerId":              pick(owners),
			"CreatedDate":          SFDateTime(created),
			"LastModifiedDate":     SFDateTime(modified),
			"LastActivityDate":     maybe(0.4, modified.AddDate(0, 0, -rng.IntN(60)).Format("2006-01-02")),
			"SLAExpirationDate__c": maybe(0.5, modified.AddDate(1, rng.IntN(12), 0).Format("2006-01-02")),
			"NumberofLocations__c": maybe(0.3, float64(1+rng.IntN(400))),
			"Discount__c":          maybe(0.6, float64(rng.IntN(400))/10),
			"Active__c":            maybe(0.2, pick([]string{"Yes", "No"})),
		}
	}
	return out
}
