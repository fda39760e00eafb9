-- +goose Up
-- Reasons the platform writes itself are stored as catalogue keys (issue 16, defect 3:
-- one language at a time) and rendered in the reader's language; rows written before
-- held both languages in one text. What a user typed stays as typed.
UPDATE documents SET reason = 'err.documents.credentials_reissued' WHERE reason = '投票凭证已重新发放 / credentials reissued';
UPDATE documents SET reason = 'err.documents.the_record_changed' WHERE reason = '记录内容已更新 / the record changed';
UPDATE documents SET reason = 'err.documents.published_again' WHERE reason = '重新公布 / published again';
UPDATE documents SET reason = 'err.documents.result_published_dates_of_publication_and' WHERE reason = '表决结果已公布，加注公布日期和异议期 / result published: dates of publication and objections added';
UPDATE complaint_attachments SET created_by_name = 'err.property.owner_online' WHERE created_by_name = '业主（在线）/ owner (online)';

-- +goose Down
UPDATE documents SET reason = '投票凭证已重新发放 / credentials reissued' WHERE reason = 'err.documents.credentials_reissued';
UPDATE documents SET reason = '记录内容已更新 / the record changed' WHERE reason = 'err.documents.the_record_changed';
UPDATE documents SET reason = '重新公布 / published again' WHERE reason = 'err.documents.published_again';
UPDATE documents SET reason = '表决结果已公布，加注公布日期和异议期 / result published: dates of publication and objections added' WHERE reason = 'err.documents.result_published_dates_of_publication_and';
UPDATE complaint_attachments SET created_by_name = '业主（在线）/ owner (online)' WHERE created_by_name = 'err.property.owner_online';
