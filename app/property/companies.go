package property

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/pii"
	"gongzhi/models"
)

// NewCompany is a company to register.
type NewCompany struct {
	Name string
	USCC string
}

// CreateCompany registers a property service company by its USCC (GB 32100 check
// digit; a bad code → 422 naming uscc, a code already registered → 409 naming it).
func (s *Service) CreateCompany(ctx context.Context, p app.Principal, in NewCompany) (int64, error) {
	if err := access.Require(p, access.SuperviseProperty); err != nil {
		return 0, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return 0, app.Invalid("name", app.M("err.property.company_name_required_at_most_100_characters"))
	}
	code := pii.NormalizeID(in.USCC)
	if !pii.ValidUSCC(code) {
		return 0, app.Invalid("uscc", app.M("err.property.the_unified_social_credit_code_fails_its_gb"))
	}
	now := s.now()
	c := models.PropertyCompany{Name: name, USCC: code, CreatedAt: now, UpdatedAt: now}
	if p.UserID != 0 {
		c.CreatedBy = ptr(p.UserID)
	}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		org := p.OrgID
		if org == 0 {
			if err := tx.Model(&models.Org{}).Where("parent_id IS NULL").Select("MIN(id)").Scan(&org).Error; err != nil {
				return err
			}
		}
		c.ID, c.RegisteredByOrgID = 0, org
		if err := tx.Create(&c).Error; err != nil {
			if database.IsDuplicate(err) {
				return &app.Error{Code: app.EConflict, Msg: app.M("err.property.this_code_is_already_registered"),
					Details: []app.Detail{{Field: "uscc", Msg: app.M("err.property.already_registered")}}}
			}
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "company.create", TargetType: "property_company", TargetID: c.ID, OrgID: org,
			Detail: map[string]any{"name": name, "uscc": code}})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return c.ID, nil
}

// Companies lists every registered company (the register is platform-wide).
func (s *Service) Companies(ctx context.Context, p app.Principal) ([]models.PropertyCompany, error) {
	var list []models.PropertyCompany
	if err := s.db.WithContext(ctx).Order("name, id").Find(&list).Error; err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}

func (s *Service) company(ctx context.Context, db *gorm.DB, id int64, field string) (models.PropertyCompany, error) {
	var c models.PropertyCompany
	err := db.WithContext(ctx).First(&c, id).Error
	if isNotFound(err) {
		if field != "" {
			return c, app.Invalid(field, app.M("err.property.no_such_company"))
		}
		return c, notFound("物业服务企业")
	}
	if err != nil {
		return c, app.Internal(err)
	}
	return c, nil
}

// NewContract is a service contract to file for an estate.
type NewContract struct {
	CompanyID   int64
	StartsOn    string
	EndsOn      string
	FeeStandard string
	Scope       string
	FiledOn     string
	FilingNo    string
	NoticeDays  *int
}

// CreateContract files a service contract of the estate. Terms of one estate never
// overlap (409 naming starts_on); the estate's company on a date is the company of
// the contract covering it.
func (s *Service) CreateContract(ctx context.Context, p app.Principal, estateID int64, in NewContract) (int64, error) {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	if in.CompanyID <= 0 {
		return 0, app.Invalid("company_id", app.M("err.property.company_id_required"))
	}
	starts, err := parseDay("starts_on", in.StartsOn)
	if err != nil {
		return 0, err
	}
	ends, err := parseDay("ends_on", in.EndsOn)
	if err != nil {
		return 0, err
	}
	if ends < starts {
		return 0, app.Invalid("ends_on", app.M("err.property.ends_on_before_starts_on"))
	}
	notice := 60
	if in.NoticeDays != nil {
		if *in.NoticeDays < 0 || *in.NoticeDays > 3650 {
			return 0, app.Invalid("notice_days", app.M("err.property.notice_days_out_of_range"))
		}
		notice = *in.NoticeDays
	}
	var filedOn *string
	if strings.TrimSpace(in.FiledOn) != "" {
		d, err := parseDay("filed_on", in.FiledOn)
		if err != nil {
			return 0, err
		}
		filedOn = &d
	}
	if utf8.RuneCountInString(in.FeeStandard) > 200 {
		return 0, app.Invalid("fee_standard", app.M("err.property.fee_standard_too_long"))
	}
	if utf8.RuneCountInString(in.FilingNo) > 64 {
		return 0, app.Invalid("filing_no", app.M("err.property.filing_no_too_long"))
	}
	now := s.now()
	c := models.ServiceContract{EstateID: e.ID, CompanyID: in.CompanyID, StartsOn: starts, EndsOn: ends, NoticeDays: notice,
		FeeStandard: strings.TrimSpace(in.FeeStandard), FiledOn: filedOn, FilingNo: strings.TrimSpace(in.FilingNo), CreatedAt: now, UpdatedAt: now}
	if sc := strings.TrimSpace(in.Scope); sc != "" {
		c.Scope = &sc
	}
	if p.UserID != 0 {
		c.CreatedBy = ptr(p.UserID)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if _, err := s.company(ctx, tx, in.CompanyID, "company_id"); err != nil {
			return err
		}
		// One writer per estate: the estate row is held while the terms are compared.
		var held int64
		if err := tx.Raw("SELECT id FROM estates WHERE id = ?"+database.DialectOf(tx).ForUpdate(), e.ID).Scan(&held).Error; err != nil {
			return err
		}
		var others []models.ServiceContract
		if err := tx.Where("estate_id = ? AND starts_on <= ?", e.ID, ends).Find(&others).Error; err != nil {
			return err
		}
		for _, o := range others {
			if o.LastDay() >= starts {
				return &app.Error{Code: app.EConflict, Msg: app.Plain("与本小区已备案的合同期限重叠（" + o.StartsOn + " 至 " + o.LastDay() + "） / the term overlaps another contract of this estate"),
					Details: []app.Detail{{Field: "starts_on", Msg: app.M("err.property.overlapping_term")}}}
			}
		}
		c.ID = 0
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "service_contract.create", TargetType: "service_contract", TargetID: c.ID,
			OrgID: e.CommunityID, EstateID: e.ID, Detail: map[string]any{"company_id": in.CompanyID, "starts_on": starts, "ends_on": ends}})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return c.ID, nil
}

// NewManager is a project manager's registration with the street and community.
type NewManager struct {
	Name         string
	Phone        string
	RegisteredOn string
}

// RegisterManager records the project manager of a contract (seed 004 §(二)); the
// phone is kept encrypted, shown masked.
func (s *Service) RegisterManager(ctx context.Context, p app.Principal, contractID int64, in NewManager) (int64, error) {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return 0, err
	}
	var c models.ServiceContract
	if err := s.db.WithContext(ctx).First(&c, contractID).Error; err != nil {
		if isNotFound(err) {
			return 0, notFound("合同")
		}
		return 0, app.Internal(err)
	}
	e, err := s.orgs.EstateForChange(ctx, p, c.EstateID)
	if err != nil {
		return 0, notFound("合同")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return 0, app.Invalid("name", app.M("err.property.name_required"))
	}
	phone := strings.TrimSpace(in.Phone)
	if len(phone) < 5 || len(phone) > 20 {
		return 0, app.Invalid("phone", app.M("err.property.phone_required"))
	}
	day, err := parseDay("registered_on", in.RegisteredOn)
	if err != nil {
		return 0, err
	}
	enc, err := s.pii.Encrypt(phone)
	if err != nil {
		return 0, app.Internal(err)
	}
	now := s.now()
	m := models.ProjectManager{ContractID: c.ID, Name: name, PhoneEnc: enc, PhoneMasked: pii.MaskPhone(phone), RegisteredOn: day, CreatedAt: now, UpdatedAt: now}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		m.ID = 0
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "project_manager.register", TargetType: "project_manager", TargetID: m.ID,
			OrgID: e.CommunityID, EstateID: e.ID, Detail: map[string]any{"contract_id": c.ID}})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return m.ID, nil
}

// ContractRow is a contract with its company and estate names and its managers.
type ContractRow struct {
	models.ServiceContract
	CompanyName string
	EstateName  string
	Managers    []models.ProjectManager
}

// contracts lists contracts of the estates (and company, when not 0), newest first.
func (s *Service) contracts(ctx context.Context, estates []int64, companyID int64, names map[int64]string) ([]ContractRow, error) {
	if len(estates) == 0 {
		return nil, nil
	}
	q := s.db.WithContext(ctx).Where("estate_id IN ?", estates)
	if companyID != 0 {
		q = q.Where("company_id = ?", companyID)
	}
	var list []models.ServiceContract
	if err := q.Order("starts_on DESC, id DESC").Find(&list).Error; err != nil {
		return nil, app.Internal(err)
	}
	out := make([]ContractRow, len(list))
	for i, c := range list {
		out[i] = ContractRow{ServiceContract: c, EstateName: names[c.EstateID]}
		var co models.PropertyCompany
		if err := s.db.WithContext(ctx).First(&co, c.CompanyID).Error; err == nil {
			out[i].CompanyName = co.Name
		}
		if err := s.db.WithContext(ctx).Where("contract_id = ?", c.ID).Order("registered_on, id").Find(&out[i].Managers).Error; err != nil {
			return nil, app.Internal(err)
		}
	}
	return out, nil
}

// dayOf is the Shanghai date of t.
func dayOf(t time.Time) string { return t.In(shanghai()).Format(time.DateOnly) }

// EstateContracts lists the estate's contracts with their companies and managers.
func (s *Service) EstateContracts(ctx context.Context, p app.Principal, estateID int64) ([]ContractRow, error) {
	e, err := s.orgs.Estate(ctx, p, estateID)
	if err != nil {
		return nil, err
	}
	return s.contracts(ctx, []int64{e.ID}, 0, map[int64]string{e.ID: e.Name})
}
