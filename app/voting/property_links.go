package voting

import (
	"context"
	"fmt"
	"gongzhi/app"

	"gongzhi/models"
)

// checkPropertyLinks checks the links of hire_dismiss_manager items (issue 13): a
// contract_id must be a service contract of the vote's estate, a company_id a registered
// property company. An unknown or foreign contract is reported on the item's
// contract_id field, so nothing tells whether another estate's contract exists.
func (s *Service) checkPropertyLinks(ctx context.Context, d *details, estateID int64, items []ItemInput) error {
	for i, it := range items {
		f := fmt.Sprintf("items[%d]", i)
		if it.ContractID != nil {
			ok, err := models.ContractOfEstate(ctx, s.db, *it.ContractID, estateID)
			if err != nil {
				return err
			}
			if !ok {
				d.add(f+".contract_id", app.M("err.voting.not_a_service_contract_of_this_estate"))
			}
		}
		if it.CompanyID != nil {
			ok, err := models.CompanyExists(ctx, s.db, *it.CompanyID)
			if err != nil {
				return err
			}
			if !ok {
				d.add(f+".company_id", app.M("err.voting.no_such_property_company"))
			}
		}
	}
	return nil
}
